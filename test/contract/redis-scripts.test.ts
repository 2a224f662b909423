import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedisCache } from "../../src/adapters/redis/redis-cache.ts";
import { RedisFeeds } from "../../src/adapters/redis/redis-feeds.ts";
import { RedisLeaseStore } from "../../src/adapters/redis/redis-lease.ts";
import { SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";

describe("Redis scripts on an auto-pipelining connection", { skip: SKIP_REDIS }, () => {
  // Without registration up front the pipeline's callbacks never settle: a timeout makes that a failure, not a hang.
  it("run in a pipeline a plain command opened before their first use", { timeout: 10_000 }, async () => {
    const test = await openTestRedis();
    try {
      const cache = new RedisCache(test.redis, test.prefix);
      const feeds = new RedisFeeds(test.redis, test.prefix);
      const leases = new RedisLeaseStore(test.redis, test.prefix);
      // One turn of the event loop: the GET opens the connection's pending pipeline, and every script's first
      // run joins it.
      const results = await Promise.all([
        test.redis.get(`${test.prefix}plain`),
        cache.compareAndSet("cas", null, "1"),
        cache.increment("n", 2, 60_000),
        leases.acquire("l", "me", 60_000),
        feeds.page("f", {}, 20),
      ]);
      assert.deepEqual(results, [null, true, 2, true, null]);
      await leases.release("l", "me");
      assert.equal(await leases.acquire("l", "other", 60_000), true, "released by its own script");
    } finally {
      await test.close();
    }
  });
});
