import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryPubSub } from "../../src/adapters/memory/memory-pubsub.ts";
import { RedisPubSub } from "../../src/adapters/redis/redis-pubsub.ts";
import { quietLog, SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";
import { waitFor } from "../support/timing.ts";
import { pubSubContract } from "./pubsub.contract.ts";

pubSubContract("memory", async () => {
  const pubsub = new MemoryPubSub(quietLog);
  return { pubsub, close: () => pubsub.close() };
});

pubSubContract(
  "redis",
  async () => {
    const test = await openTestRedis();
    const pubsub = new RedisPubSub(test.redis, test.prefix, quietLog);
    const peer = new RedisPubSub(test.connect(), test.prefix, quietLog);
    return {
      pubsub,
      peer,
      close: async () => {
        await Promise.all([pubsub.close(), peer.close()]);
        await test.close();
      },
    };
  },
  { skip: SKIP_REDIS },
);

describe("RedisPubSub server subscriptions", { skip: SKIP_REDIS }, () => {
  async function serverSubscribers(redis: import("ioredis").Redis, channel: string): Promise<number> {
    const reply = (await redis.pubsub("NUMSUB", channel)) as [string, number];
    return Number(reply[1]);
  }

  it("subscribes on the server once per channel, with the prefix, only while it has handlers", async () => {
    const test = await openTestRedis();
    const pubsub = new RedisPubSub(test.redis, test.prefix, quietLog);
    try {
      const channel = `${test.prefix}user:1`;
      assert.equal(await serverSubscribers(test.redis, channel), 0);
      const off1 = await pubsub.subscribe("user:1", () => {});
      const off2 = await pubsub.subscribe("user:1", () => {});
      assert.equal(await serverSubscribers(test.redis, channel), 1);
      assert.equal(await serverSubscribers(test.redis, "user:1"), 0, "channel names carry the prefix");
      await off1();
      assert.equal(await serverSubscribers(test.redis, channel), 1);
      await off2();
      await waitFor(() => pubsub.subscribedChannels().length === 0);
      assert.equal(await serverSubscribers(test.redis, channel), 0);
    } finally {
      await pubsub.close();
      await test.close();
    }
  });

  it("keeps instances with different prefixes apart", async () => {
    const test = await openTestRedis();
    const mine = new RedisPubSub(test.redis, test.prefix, quietLog);
    const theirs = new RedisPubSub(test.redis, `${test.prefix}other:`, quietLog);
    try {
      const received: string[] = [];
      await mine.subscribe("c", (m) => received.push(m));
      await theirs.publish("c", "not for you");
      await mine.publish("c", "for you");
      await waitFor(() => received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(received, ["for you"]);
    } finally {
      await Promise.all([mine.close(), theirs.close()]);
      await test.close();
    }
  });

  it("closes its subscriber connection and refuses use afterwards", async () => {
    const test = await openTestRedis();
    const pubsub = new RedisPubSub(test.redis, test.prefix, quietLog);
    try {
      await pubsub.subscribe("c", () => {});
      await pubsub.close();
      assert.deepEqual(pubsub.subscribedChannels(), []);
      assert.equal(await serverSubscribers(test.redis, `${test.prefix}c`), 0);
      await assert.rejects(pubsub.subscribe("c", () => {}), /closed/);
      await assert.rejects(pubsub.publish("c", "x"), /closed/);
      assert.equal(await test.redis.ping(), "PONG", "the shared connection stays open");
    } finally {
      await test.close();
    }
  });
});
