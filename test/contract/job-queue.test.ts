import { DatabaseJobQueue } from "../../src/adapters/db/database-job-queue.ts";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import { PostgresDatabase } from "../../src/adapters/db/postgres-database.ts";
import { BullMQJobQueue } from "../../src/adapters/redis/bullmq-job-queue.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { databaseEngines, quietLog, SKIP_REDIS, TEST_REDIS_URL, type TestDatabase } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";
import { jobQueueContract, type HarnessOptions, type QueueHarness } from "./job-queue.contract.ts";

/**
 * A second handle on the same database, as another process would have: its own pool on PostgreSQL; on SQLite
 * (in memory, one connection) the same handle, which is what a second worker in one process shares anyway.
 */
async function secondHandle(t: TestDatabase): Promise<{ db: KyselyDatabase; close(): Promise<void> }> {
  if (t.url === null) return { db: t.db, close: async () => {} };
  const db = new PostgresDatabase(t.url, 5, systemClock, quietLog);
  return { db, close: () => db.close() };
}

for (const engine of databaseEngines) {
  jobQueueContract(
    `database queue on ${engine.name}`,
    async ({ lockMs }: HarnessOptions): Promise<QueueHarness> => {
      const t = await engine.open();
      const make = (db: KyselyDatabase) => new DatabaseJobQueue(db, { lockMs, pollMs: 50, log: quietLog });
      const queue = make(t.db);
      const peers: (() => Promise<void>)[] = [];
      return {
        queue,
        db: t.db,
        peer: async () => {
          const handle = await secondHandle(t);
          const q = make(handle.db);
          const close = async () => {
            await q.close();
            await handle.close();
          };
          peers.push(close);
          return { queue: q, close };
        },
        close: async () => {
          await Promise.all(peers.map((c) => c()));
          await queue.close();
          await t.close();
        },
      };
    },
    engine.skip,
  );
}

for (const engine of databaseEngines) {
  jobQueueContract(
    `BullMQ on Redis, outbox in ${engine.name}`,
    async ({ lockMs }: HarnessOptions): Promise<QueueHarness> => {
      const t = await engine.open();
      const redis = await openTestRedis();
      const make = (db: KyselyDatabase) =>
        new BullMQJobQueue(db, { redisUrl: TEST_REDIS_URL!, prefix: redis.prefix.slice(0, -1), lockMs, relayPollMs: 100, log: quietLog });
      const queue = make(t.db);
      const peers: (() => Promise<void>)[] = [];
      return {
        queue,
        db: t.db,
        peer: async () => {
          const handle = await secondHandle(t);
          const q = make(handle.db);
          const close = async () => {
            await q.close();
            await handle.close();
          };
          peers.push(close);
          return { queue: q, close };
        },
        close: async () => {
          await Promise.all(peers.map((c) => c()));
          await queue.close();
          await redis.close();
          await t.close();
        },
      };
    },
    SKIP_REDIS || engine.skip,
  );
}
