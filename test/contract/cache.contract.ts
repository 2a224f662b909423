import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Cache } from "../../src/ports/cache.ts";
import { sleep } from "../support/timing.ts";

/** One cache for one test; close() releases it and whatever it stored. */
export interface CacheFixture {
  readonly cache: Cache;
  close(): Promise<void>;
}

/** The behaviour every Cache adapter must have. */
export function cacheContract(name: string, make: () => Promise<CacheFixture>, options: { skip?: string | false } = {}) {
  describe(`Cache contract: ${name}`, { skip: options.skip ?? false }, () => {
    async function withCache(fn: (cache: Cache) => Promise<void>): Promise<void> {
      const fixture = await make();
      try {
        await fn(fixture.cache);
      } finally {
        await fixture.close();
      }
    }

    it("stores, reads and deletes values; an absent key reads as null", () =>
      withCache(async (cache) => {
        assert.equal(await cache.get("a"), null);
        await cache.set("a", "1");
        await cache.set("b", "two words ✓");
        assert.equal(await cache.get("a"), "1");
        assert.equal(await cache.get("b"), "two words ✓");
        await cache.set("a", "replaced");
        assert.equal(await cache.get("a"), "replaced");
        assert.deepEqual(await cache.getMany(["b", "missing", "a"]), ["two words ✓", null, "replaced"]);
        assert.deepEqual(await cache.getMany([]), []);
        await cache.delete("a");
        await cache.delete("never-there");
        assert.equal(await cache.get("a"), null);
      }));

    it("stores many values at once, each with its own TTL, as set does", () =>
      withCache(async (cache) => {
        await cache.set("old", "before");
        await cache.setMany([]);
        await cache.setMany([{ key: "only", value: "1", ttlMs: 60_000 }]);
        await cache.setMany([
          { key: "old", value: "after" },
          { key: "brief", value: "b", ttlMs: 150 },
          { key: "long", value: "l ✓", ttlMs: 60_000 },
        ]);
        assert.deepEqual(await cache.getMany(["old", "brief", "long", "only"]), ["after", "b", "l ✓", "1"]);
        assert.equal(await cache.ttl("old"), null, "no TTL, no expiry");
        const left = await cache.ttl("long");
        assert.ok(left !== null && left > 50_000 && left <= 60_000, `ttl ${left}`);
        await sleep(250);
        assert.deepEqual(await cache.getMany(["old", "brief", "long"]), ["after", null, "l ✓"]);
      }));

    it("answers reads issued together each with its own values, and sees writes made before them", () =>
      withCache(async (cache) => {
        await cache.set("x", "1");
        await cache.set("y", "2");
        const written = cache.set("z", "3");
        const [x, many, again, none, z] = await Promise.all([
          cache.get("x"),
          cache.getMany(["y", "missing", "x", "y"]),
          cache.get("x"),
          cache.getMany([]),
          written.then(() => cache.get("z")),
        ]);
        assert.deepEqual([x, many, again, none, z], ["1", ["2", null, "1", "2"], "1", [], "3"]);
        const wide = Array.from({ length: 2_500 }, (_, i) => `k${i}`);
        await Promise.all(wide.slice(0, 10).map((k, i) => cache.set(k, String(i))));
        const [all, first] = await Promise.all([cache.getMany(wide), cache.get("k9")]);
        assert.equal(all.length, wide.length);
        assert.deepEqual(all.slice(0, 11), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", null]);
        assert.equal(first, "9");
      }));

    it("expires values after their TTL and reports the time left", () =>
      withCache(async (cache) => {
        await cache.set("short", "x", 150);
        await cache.set("forever", "y");
        const left = await cache.ttl("short");
        assert.ok(left !== null && left > 0 && left <= 150, `ttl was ${left}`);
        assert.equal(await cache.ttl("forever"), null);
        assert.equal(await cache.ttl("absent"), null);
        await sleep(250);
        assert.equal(await cache.get("short"), null);
        assert.deepEqual(await cache.getMany(["short", "forever"]), [null, "y"]);
        assert.equal(await cache.ttl("short"), null);
        await cache.set("short", "again");
        assert.equal(await cache.ttl("short"), null, "a plain set removes the old expiry");
      }));

    it("stores only absent keys with setIfAbsent, and again once the old value expired", () =>
      withCache(async (cache) => {
        assert.equal(await cache.setIfAbsent("k", "first", 80), true);
        assert.equal(await cache.setIfAbsent("k", "second", 80), false);
        assert.equal(await cache.get("k"), "first");
        await sleep(150);
        assert.equal(await cache.setIfAbsent("k", "third"), true);
        assert.equal(await cache.get("k"), "third");
        assert.equal(await cache.ttl("k"), null);
      }));

    it("lets exactly one of many concurrent setIfAbsent calls win", () =>
      withCache(async (cache) => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => cache.setIfAbsent("claim", `w${i}`, 5_000)));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await cache.get("claim"), `w${results.indexOf(true)}`);
      }));

    it("increments atomically under 200 concurrent calls", () =>
      withCache(async (cache) => {
        const values = await Promise.all(Array.from({ length: 200 }, () => cache.increment("hits", 1, 10_000)));
        assert.equal(await cache.get("hits"), "200");
        assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
        assert.equal(await cache.increment("hits", 5, 10_000), 205);
        assert.equal(await cache.increment("hits", -10, 10_000), 195);
      }));

    it("fixes an increment's window when the key is created: later increments do not extend it", () =>
      withCache(async (cache) => {
        assert.equal(await cache.increment("window", 1, 150), 1);
        await sleep(60);
        assert.equal(await cache.increment("window", 1, 60_000), 2);
        const left = await cache.ttl("window");
        assert.ok(left !== null && left <= 150 - 50, `the window was extended: ${left} ms left`);
        await sleep(150);
        assert.equal(await cache.get("window"), null);
        assert.equal(await cache.increment("window", 3, 60_000), 3, "a new window starts from zero");
        const fresh = await cache.ttl("window");
        assert.ok(fresh !== null && fresh > 59_000);
      }));

    it("refuses a fractional increment", () =>
      withCache(async (cache) => {
        await assert.rejects(cache.increment("n", 0.5, 1_000), RangeError);
        assert.equal(await cache.get("n"), null);
      }));

    it("compares and sets: absent as null, a mismatch refuses, null next deletes, TTL applies", () =>
      withCache(async (cache) => {
        assert.equal(await cache.compareAndSet("c", "something", "x"), false, "absent is not 'something'");
        assert.equal(await cache.get("c"), null);
        assert.equal(await cache.compareAndSet("c", null, "v1"), true);
        assert.equal(await cache.compareAndSet("c", null, "v2"), false, "present is not absent");
        assert.equal(await cache.compareAndSet("c", "wrong", "v2"), false);
        assert.equal(await cache.get("c"), "v1");
        assert.equal(await cache.compareAndSet("c", "v1", "v2", 150), true);
        assert.equal(await cache.get("c"), "v2");
        const left = await cache.ttl("c");
        assert.ok(left !== null && left <= 150);
        await sleep(250);
        assert.equal(await cache.get("c"), null);
        assert.equal(await cache.compareAndSet("c", null, "v3"), true, "an expired key is absent");
        assert.equal(await cache.compareAndSet("c", "v3", null), true);
        assert.equal(await cache.get("c"), null);
        assert.equal(await cache.compareAndSet("c", null, null), true, "absent stays absent");
      }));

    it("lets exactly one of many concurrent compare-and-sets from the same value win", () =>
      withCache(async (cache) => {
        await cache.set("counter", "0");
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => cache.compareAndSet("counter", "0", `winner-${i}`)),
        );
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await cache.get("counter"), `winner-${results.indexOf(true)}`);

        // Optimistic read-modify-write loops from many clients lose no update.
        await cache.set("sum", "0");
        await Promise.all(
          Array.from({ length: 40 }, async () => {
            for (;;) {
              const current = await cache.get("sum");
              if (await cache.compareAndSet("sum", current, String(Number(current) + 1))) return;
            }
          }),
        );
        assert.equal(await cache.get("sum"), "40");
      }));

    it("scans the keys under a prefix, glob characters included, with their values", () =>
      withCache(async (cache) => {
        await cache.set("fed:[a]*?:1", "one");
        await cache.set("fed:[a]*?:2", "two");
        await cache.set("fed:[a]*?:gone", "x", 50);
        await cache.set("fed:[b]*?:1", "other");
        await cache.set("fed:abc:1", "an unescaped glob would match this");
        await cache.set("other", "nope");
        for (let i = 0; i < 300; i++) await cache.set(`fed:many:${i}`, String(i));
        await sleep(120);
        const found = new Map<string, string>();
        for await (const [key, value] of cache.scan("fed:[a]*?:")) {
          assert.ok(!found.has(key), `${key} yielded twice`);
          found.set(key, value);
        }
        assert.deepEqual(Object.fromEntries(found), { "fed:[a]*?:1": "one", "fed:[a]*?:2": "two" });

        const many = new Set<string>();
        for await (const [key] of cache.scan("fed:many:")) many.add(key);
        assert.equal(many.size, 300);
        let none = 0;
        for await (const _ of cache.scan("absent-prefix:")) none++;
        assert.equal(none, 0);
      }));

    it("rejects a TTL that is not positive", () =>
      withCache(async (cache) => {
        await assert.rejects(cache.set("t", "v", 0), RangeError);
        await assert.rejects(cache.set("t", "v", -5), RangeError);
        assert.equal(await cache.get("t"), null);
      }));
  });
}
