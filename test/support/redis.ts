import type { Redis } from "ioredis";
import { closeRedis, createRedis } from "../../src/adapters/redis/redis-connection.ts";
import { escapeGlob } from "../../src/adapters/redis/redis-keys.ts";
import { redisPrefix, TEST_REDIS_URL } from "./backends.ts";

/** A connection to the test Redis with a prefix of its own; close() deletes that prefix's keys and disconnects. */
export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  /** Another connection to the same server, closed with this one (cross-process behaviour). */
  connect(): Redis;
  close(): Promise<void>;
}

/** Opens the test Redis (TEST_REDIS_URL); only call it from a suite that is skipped when SKIP_REDIS is set. */
export async function openTestRedis(): Promise<TestRedis> {
  if (!TEST_REDIS_URL) throw new Error("TEST_REDIS_URL is not set");
  const url = TEST_REDIS_URL;
  const prefix = redisPrefix();
  // As the container opens the adapters' connection: auto-pipelined, so the contract suites test that too.
  const redis = createRedis(url, { autoPipelining: true });
  const others: Redis[] = [];
  return {
    redis,
    prefix,
    connect() {
      const other = createRedis(url, { autoPipelining: true });
      others.push(other);
      return other;
    },
    async close() {
      try {
        await deleteKeys(redis, prefix);
      } finally {
        await Promise.all([redis, ...others].map(closeRedis));
      }
    },
  };
}

/** Deletes every key that starts with `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${escapeGlob(prefix)}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}
