import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryFeeds } from "../../src/adapters/memory/memory-feeds.ts";
import { RedisFeeds } from "../../src/adapters/redis/redis-feeds.ts";
import { SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";
import { feedsContract } from "./feeds.contract.ts";

feedsContract("memory", async (cap) => {
  const feeds = new MemoryFeeds({ cap });
  return { feeds, close: () => feeds.close() };
});

feedsContract(
  "redis",
  async (cap) => {
    const test = await openTestRedis();
    return { feeds: new RedisFeeds(test.redis, test.prefix, cap), close: () => test.close() };
  },
  { skip: SKIP_REDIS },
);

describe("MemoryFeeds bounds", () => {
  it("keeps at most maxFeeds feeds, dropping the least recently read or rebuilt", async () => {
    const feeds = new MemoryFeeds({ maxFeeds: 2 });
    try {
      await feeds.replace("a", [1n]);
      await feeds.replace("b", [2n]);
      assert.deepEqual(await feeds.page("a", {}, 10), [1n], "reading a makes b the least recently used");
      await feeds.push(["b"], 3n);
      await feeds.replace("c", [4n]);
      assert.equal(feeds.size, 2);
      assert.equal(await feeds.page("b", {}, 10), null, "an evicted feed is missing and gets rebuilt");
      assert.deepEqual(await feeds.page("a", {}, 10), [1n]);
      assert.deepEqual(await feeds.page("c", {}, 10), [4n]);
    } finally {
      await feeds.close();
    }
  });
});

describe("RedisFeeds storage", { skip: SKIP_REDIS }, () => {
  it("stores ids as zero-padded members with score 0 and a sentinel that marks an existing feed", async () => {
    const test = await openTestRedis();
    try {
      const feeds = new RedisFeeds(test.redis, test.prefix, 3);
      await feeds.replace("home:1", [2n ** 63n + 7n, 5n]);
      const members = await test.redis.call("ZRANGE", `${test.prefix}home:1`, "0", "-1", "WITHSCORES");
      // RESP3 pairs each member with its score; RESP2 lists them flat.
      assert.deepEqual((members as unknown[]).flat(), ["00000000000000000000", "0", "00000000000000000005", "0", "09223372036854775815", "0"]);
      for (let n = 10n; n < 20n; n++) await feeds.push(["home:1"], n);
      assert.equal(await test.redis.zcard(`${test.prefix}home:1`), 4, "cap 3 plus the sentinel");
      assert.deepEqual(await feeds.page("home:1", {}, 10), [2n ** 63n + 7n, 19n, 18n]);
    } finally {
      await test.close();
    }
  });
});
