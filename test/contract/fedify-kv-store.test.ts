import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Temporal } from "@js-temporal/polyfill";
import type { KvKey, KvStore, KvStoreSetOptions } from "@fedify/fedify";
import { MemoryCache } from "../../src/adapters/memory/memory-cache.ts";
import { RedisCache } from "../../src/adapters/redis/redis-cache.ts";
import { CacheKvStore } from "../../src/federation/fedify-kv-store.ts";
import type { Cache } from "../../src/ports/cache.ts";
import { SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";
import { sleep } from "../support/timing.ts";

/**
 * A TTL as Fedify makes one: with its Temporal polyfill (Node 24 has no global Temporal), although Fedify's
 * declarations name the built-in Temporal.Duration type.
 */
function ttl(like: Temporal.DurationLike): KvStoreSetOptions {
  return { ttl: Temporal.Duration.from(like) as unknown as KvStoreSetOptions["ttl"] };
}

async function entries(store: KvStore, prefix?: KvKey): Promise<Record<string, unknown>> {
  const found: Record<string, unknown> = {};
  for await (const { key, value } of store.list(prefix)) {
    const encoded = JSON.stringify(key);
    assert.ok(!(encoded in found), `${encoded} listed twice`);
    found[encoded] = value;
  }
  return found;
}

function kvStoreSuite(name: string, open: () => Promise<{ cache: Cache; close(): Promise<void> }>, skip: string | false) {
  describe(`Fedify KvStore over the Cache: ${name}`, { skip }, () => {
    async function withStore(fn: (store: KvStore, cache: Cache) => Promise<void>): Promise<void> {
      const { cache, close } = await open();
      try {
        await fn(new CacheKvStore(cache), cache);
      } finally {
        await close();
      }
    }

    it("gets, sets and deletes JSON values by key array", () =>
      withStore(async (store) => {
        assert.equal(await store.get(["_fedify", "remoteDocument", "https://example.com/actor"]), undefined);
        const doc = { "@context": "https://www.w3.org/ns/activitystreams", id: "https://example.com/actor", n: [1, 2] };
        await store.set(["_fedify", "remoteDocument", "https://example.com/actor"], doc);
        assert.deepEqual(await store.get(["_fedify", "remoteDocument", "https://example.com/actor"]), doc);
        await store.set(["k"], "text");
        await store.set(["n"], 0);
        await store.set(["f"], false);
        await store.set(["z"], null);
        assert.equal(await store.get(["k"]), "text");
        assert.equal(await store.get(["n"]), 0);
        assert.equal(await store.get(["f"]), false);
        assert.equal(await store.get(["z"]), null, "null is a value, not an absence");
        await store.delete(["k"]);
        assert.equal(await store.get(["k"]), undefined);
        assert.equal(await store.get(["a,b"]), undefined);
        await store.set(["a", "b"], 1);
        assert.equal(await store.get(["a,b"]), undefined, "key arrays are encoded unambiguously");
      }));

    it("expires values after a Temporal.Duration TTL", () =>
      withStore(async (store, cache) => {
        await store.set(["short"], { v: 1 }, ttl({ milliseconds: 80 }));
        await store.set(["long"], { v: 2 }, ttl({ hours: 1 }));
        const left = await cache.ttl('fedify:["long"]');
        assert.ok(left !== null && left > 3_590_000 && left <= 3_600_000, `ttl ${left}`);
        await sleep(150);
        assert.equal(await store.get(["short"]), undefined);
        assert.deepEqual(await store.get(["long"]), { v: 2 });
        await store.set(["long"], 3, ttl({ seconds: 0 }));
        assert.equal(await store.get(["long"]), undefined, "a zero TTL is already expired");
      }));

    it("compares and swaps by value, with absence as undefined", () =>
      withStore(async (store) => {
        assert.ok(store.cas);
        assert.equal(await store.cas(["c"], { n: 1 }, { n: 2 }), false);
        assert.equal(await store.cas(["c"], undefined, { n: 1, tags: ["a"] }), true);
        assert.equal(await store.cas(["c"], undefined, { n: 9 }), false);
        assert.equal(await store.cas(["c"], { tags: ["a"], n: 1 }, { n: 2 }), true, "key order does not matter");
        assert.deepEqual(await store.get(["c"]), { n: 2 });
        assert.equal(await store.cas(["c"], { n: 2 }, { n: 3 }, ttl({ milliseconds: 80 })), true);
        await sleep(150);
        assert.equal(await store.get(["c"]), undefined);
        assert.equal(await store.cas(["c"], undefined, "again"), true, "an expired value is absent");
        assert.equal(await store.cas(["c"], "again", undefined), true, "swapping to undefined deletes");
        assert.equal(await store.get(["c"]), undefined);
      }));

    it("lets exactly one of many concurrent swaps from the same value win", () =>
      withStore(async (store) => {
        await store.set(["breaker", "example.com"], { state: "closed", failures: 0 });
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            store.cas!(["breaker", "example.com"], { state: "closed", failures: 0 }, { state: "open", by: i }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        assert.deepEqual(await store.get(["breaker", "example.com"]), { state: "open", by: results.indexOf(true) });
      }));

    it("lists the entries under a key prefix with their decoded keys", () =>
      withStore(async (store, cache) => {
        await store.set(["_fedify", "publicKey", "https://a.example/key"], { k: 1 });
        await store.set(["_fedify", "publicKey", "https://b.example/key"], { k: 2 });
        await store.set(["_fedify", "publicKey"], "the prefix itself");
        await store.set(["_fedify", "publicKeys", "x"], "a longer sibling");
        await store.set(["_fedify", "remoteDocument", "x"], "elsewhere");
        await store.set(["_fedify", 'quote"d', "x"], "quoted");
        await store.set(["gone"], 1, ttl({ milliseconds: 40 }));
        await cache.set("fedify:not json", "{}");
        await cache.set("elsewhere", "{}");
        await sleep(100);
        assert.deepEqual(await entries(store, ["_fedify", "publicKey"]), {
          '["_fedify","publicKey","https://a.example/key"]': { k: 1 },
          '["_fedify","publicKey","https://b.example/key"]': { k: 2 },
          '["_fedify","publicKey"]': "the prefix itself",
        });
        assert.deepEqual(await entries(store, ["_fedify", 'quote"d']), { '["_fedify","quote\\"d","x"]': "quoted" });
        assert.deepEqual(await entries(store, ["nothing"]), {});
        const all = await entries(store);
        assert.equal(Object.keys(all).length, 6);
        assert.ok(!('["gone"]' in all));
      }));
  });
}

kvStoreSuite(
  "memory",
  async () => {
    const cache = new MemoryCache();
    return { cache, close: () => cache.close() };
  },
  false,
);

kvStoreSuite(
  "redis",
  async () => {
    const test = await openTestRedis();
    return { cache: new RedisCache(test.redis, test.prefix), close: () => test.close() };
  },
  SKIP_REDIS,
);
