import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryCache } from "../../src/adapters/memory/memory-cache.ts";
import { RedisCache } from "../../src/adapters/redis/redis-cache.ts";
import type { Clock } from "../../src/ports/clock.ts";
import { SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";
import { cacheContract } from "./cache.contract.ts";

cacheContract("memory", async () => {
  const cache = new MemoryCache();
  return { cache, close: () => cache.close() };
});

cacheContract(
  "redis",
  async () => {
    const test = await openTestRedis();
    return { cache: new RedisCache(test.redis, test.prefix), close: () => test.close() };
  },
  { skip: SKIP_REDIS },
);

describe("RedisCache reads", { skip: SKIP_REDIS }, () => {
  it("sends the reads of one turn of the event loop as one MGET, and fails each of them when it fails", async () => {
    const test = await openTestRedis();
    try {
      const cache = new RedisCache(test.redis, test.prefix);
      await cache.set("a", "1");
      const sent: string[] = [];
      const original = test.redis.sendCommand.bind(test.redis);
      test.redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
        sent.push(command.name);
        return (original as (...a: unknown[]) => unknown)(command, ...rest);
      }) as typeof test.redis.sendCommand;
      const values = await Promise.all([cache.get("a"), cache.getMany(["b", "a"]), Promise.resolve().then(() => cache.get("b"))]);
      assert.deepEqual(values, ["1", [null, "1"], null]);
      assert.deepEqual(sent, ["mget"], "three reads, one round trip");
      sent.length = 0;
      const broken = new RedisCache(test.redis, test.prefix);
      test.redis.sendCommand = ((command: { name: string; reject: (e: Error) => void; promise: Promise<unknown> }) => {
        sent.push(command.name);
        command.reject(new Error("connection lost"));
        return command.promise;
      }) as unknown as typeof test.redis.sendCommand;
      const failed = await Promise.allSettled([broken.get("a"), broken.getMany(["a", "b"])]);
      assert.deepEqual(failed.map((r) => r.status), ["rejected", "rejected"]);
      test.redis.sendCommand = original;
      assert.equal(await cache.get("a"), "1", "the cache reads again once the connection is back");
    } finally {
      await test.close();
    }
  });
});

describe("MemoryCache bounds", () => {
  it("keeps at most maxEntries keys, evicting the least recently used", async () => {
    const cache = new MemoryCache({ maxEntries: 3 });
    try {
      await cache.set("a", "1");
      await cache.set("b", "2");
      await cache.set("c", "3");
      assert.equal(await cache.get("a"), "1", "reading a makes b the least recently used");
      await cache.set("d", "4");
      assert.equal(cache.size, 3);
      assert.deepEqual(await cache.getMany(["a", "b", "c", "d"]), ["1", null, "3", "4"]);
      for (let i = 0; i < 1_000; i++) await cache.increment(`n${i}`, 1, 60_000);
      assert.equal(cache.size, 3);
    } finally {
      await cache.close();
    }
  });

  it("keeps the keys and values within maxBytes, evicting the least recently used", async () => {
    const cache = new MemoryCache({ maxBytes: 10_000 });
    try {
      const big = "x".repeat(1_000);
      for (let i = 0; i < 50; i++) await cache.set(`doc:${i}`, big);
      assert.ok(cache.bytes <= 10_000, `${cache.bytes} bytes held`);
      assert.ok(cache.size >= 3 && cache.size < 50);
      assert.equal(await cache.get("doc:49"), big, "the newest survives");
      assert.equal(await cache.get("doc:0"), null, "the oldest went first");
      await cache.set("huge", "y".repeat(20_000));
      assert.equal(await cache.get("huge"), null, "a value larger than the budget is not kept");
      assert.ok(cache.bytes <= 10_000);
      for (let i = 0; i < 50; i++) await cache.delete(`doc:${i}`);
      assert.equal(cache.size, 0);
      assert.equal(cache.bytes, 0, "the byte count returns to zero");
    } finally {
      await cache.close();
    }
  });

  it("sweeps expired keys nobody reads, on its timer", async () => {
    let now = 1_000_000;
    const clock: Clock = { now: () => now };
    const cache = new MemoryCache({ clock, sweepIntervalMs: 10 });
    try {
      for (let i = 0; i < 100; i++) await cache.set(`k${i}`, "v", 1_000);
      await cache.set("kept", "v");
      assert.equal(cache.size, 101);
      now += 1_000;
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(cache.size, 1);
      assert.equal(await cache.get("kept"), "v");
      assert.equal(cache.bytes, (4 + 1) * 2 + 96, "swept entries no longer count");
    } finally {
      await cache.close();
    }
  });

  it("uses the injected clock for expiry", async () => {
    let now = 0;
    const cache = new MemoryCache({ clock: { now: () => now } });
    try {
      await cache.set("k", "v", 100);
      now = 99;
      assert.equal(await cache.ttl("k"), 1);
      now = 100;
      assert.equal(await cache.get("k"), null);
    } finally {
      await cache.close();
    }
  });
});
