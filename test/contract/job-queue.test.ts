import { DatabaseJobQueue } from "../../src/adapters/db/database-job-queue.ts";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import { PostgresDatabase } from "../../src/adapters/db/postgres-database.ts";
import { BullMQJobQueue } from "../../src/adapters/redis/bullmq-job-queue.ts";
import { systemClock } from "../../src/ports/clock.ts";
import type { JobQueue } from "../../src/ports/job-queue.ts";
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

/** A harness over one test database: the queue, peers on second handles, and everything closed in order. */
function harness(t: TestDatabase, make: (db: KyselyDatabase) => JobQueue, closeMore: () => Promise<void> = async () => {}): QueueHarness {
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
      await closeMore();
      await t.close();
    },
  };
}

for (const engine of databaseEngines) {
  jobQueueContract(
    `database queue on ${engine.name}`,
    async ({ lockMs }: HarnessOptions) =>
      harness(await engine.open(), (db) => new DatabaseJobQueue(db, { lockMs, pollMs: 50, log: quietLog })),
    engine.skip,
  );
}

for (const engine of databaseEngines) {
  jobQueueContract(
    `BullMQ on Redis, outbox in ${engine.name}`,
    async ({ lockMs }: HarnessOptions) => {
      const t = await engine.open();
      const redis = await openTestRedis();
      return harness(
        t,
        (db) => new BullMQJobQueue(db, { redisUrl: TEST_REDIS_URL!, prefix: redis.prefix.slice(0, -1), lockMs, relayPollMs: 100, log: quietLog }),
        () => redis.close(),
      );
    },
    SKIP_REDIS || engine.skip,
  );
}
