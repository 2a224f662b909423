/**
 * No-op jobs per second through each JobQueue adapter, one worker in this process: enqueue N jobs through the
 * outbox (transactions of 1,000), then time from the start of the worker until every job has run and its row or
 * Redis entry is gone. For BullMQ the relay (outbox → Redis) is timed on its own, before the worker starts.
 *
 *   node bench/run.ts queue [--jobs N] [--bull-jobs N] [--concurrency C]
 *
 * PostgreSQL and Redis rows need BENCH_DATABASE_URL / BENCH_REDIS_URL (or TEST_DATABASE_URL / TEST_REDIS_URL).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { DatabaseJobQueue } from "../../src/adapters/db/database-job-queue.ts";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import { migrateToLatest } from "../../src/adapters/db/migrations/index.ts";
import { PostgresDatabase } from "../../src/adapters/db/postgres-database.ts";
import { SqliteDatabase } from "../../src/adapters/db/sqlite-database.ts";
import { BullMQJobQueue } from "../../src/adapters/redis/bullmq-job-queue.ts";
import { systemClock } from "../../src/ports/clock.ts";
import type { JobQueue, JobRequest } from "../../src/ports/job-queue.ts";
import type { BenchResult } from "../run.ts";

const LIMIT_MS = 60_000;
const TX_SIZE = 1_000;
const log = { error: (obj: object, msg?: string) => console.error(msg ?? "error", obj), warn() {} };

type Row = Record<string, string | number>;

interface Backend {
  readonly db: KyselyDatabase;
  readonly close: () => Promise<void>;
}

/** Measures each adapter that has a backend here, one after the other; see the file comment for the options. */
export async function run(args: string[]): Promise<BenchResult> {
  const { values } = parseArgs({
    args,
    options: { jobs: { type: "string" }, "bull-jobs": { type: "string" }, concurrency: { type: "string" } },
  });
  const dbJobs = Number(values.jobs ?? 20_000);
  const bullJobs = Number(values["bull-jobs"] ?? 50_000);
  const concurrency = Number(values.concurrency ?? 50);
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || null;
  const redisUrl = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL || null;
  const rows: Row[] = [];
  const notes: string[] = [
    `concurrency ${concurrency}; enqueued in transactions of ${TX_SIZE}; each adapter stops after ${LIMIT_MS / 1000} s`,
    "jobs/s: from the worker's start until every job ran and was removed; enqueue+relay/s (BullMQ): from the first enqueue until the outbox is empty",
  ];

  rows.push(await measure("database (sqlite)", dbJobs, concurrency, openSqlite, (db) => new DatabaseJobQueue(db, { log })));
  if (pgUrl) rows.push(await measure("database (postgres)", dbJobs, concurrency, () => openPostgres(pgUrl), (db) => new DatabaseJobQueue(db, { log })));
  else notes.push("database (postgres) skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
  if (redisUrl) {
    const prefix = `bench_${randomBytes(4).toString("hex")}`;
    try {
      const outbox = pgUrl ? () => openPostgres(pgUrl) : openSqlite;
      const label = `bullmq (redis, outbox in ${pgUrl ? "postgres" : "sqlite"})`;
      rows.push(await measure(label, bullJobs, concurrency, outbox, (db) => new BullMQJobQueue(db, { redisUrl, prefix, log }), true));
    } finally {
      await deleteKeys(redisUrl, prefix);
    }
  } else notes.push("bullmq (redis) skipped: set BENCH_REDIS_URL or TEST_REDIS_URL");
  return { scenario: "queue: no-op jobs through each JobQueue adapter, one worker in this process", rows, notes };
}

async function measure(
  adapter: string,
  n: number,
  concurrency: number,
  open: () => Promise<Backend>,
  makeQueue: (db: KyselyDatabase) => JobQueue,
  relayed = false,
): Promise<Row> {
  const backend = await open();
  const queue = makeQueue(backend.db);
  try {
    const jobs: JobRequest[] = Array.from({ length: n }, (_, i) => ({ name: "noop", queue: "default", payload: { i } }));
    const e0 = performance.now();
    for (let i = 0; i < n; i += TX_SIZE) await backend.db.transaction((tx) => tx.enqueue(jobs.slice(i, i + TX_SIZE)));
    const enqueueMs = performance.now() - e0;
    const row: Row = { adapter, jobs: n, "enqueue/s": Math.round((n / enqueueMs) * 1000) };
    const deadline = Date.now() + LIMIT_MS;

    if (relayed) {
      // The relay started with the queue and has been moving rows meanwhile; wait until the outbox is empty.
      while ((await outboxRows(backend.db)) > 0 && Date.now() < deadline) await sleep(20);
      row["enqueue+relay/s"] = Math.round((n / (performance.now() - e0)) * 1000);
    }

    let done = 0;
    let finished!: () => void;
    const allDone = new Promise<void>((r) => (finished = r));
    const t0 = performance.now();
    const worker = queue.work({
      queues: [{ queue: "default", weight: 1 }],
      concurrency,
      handler: async () => {
        if (++done === n) finished();
      },
    });
    const timedOut = await Promise.race([allDone.then(() => false), sleep(Math.max(0, deadline - Date.now())).then(() => true)]);
    // Closing waits for the last completions to be written (deleted rows, BullMQ's completed moves).
    await worker.close(10_000);
    const ms = performance.now() - t0;
    row["jobs/s"] = Math.round((done / ms) * 1000);
    row.seconds = Number((ms / 1000).toFixed(2));
    if (timedOut) row.note = `stopped after ${LIMIT_MS / 1000} s with ${done} of ${n} done`;
    return row;
  } finally {
    await queue.close();
    await backend.close();
  }
}

async function outboxRows(db: KyselyDatabase): Promise<number> {
  const r = await db.kysely.selectFrom("jobs").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function openSqlite(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), "herd-bench-queue-"));
  const db = new SqliteDatabase(join(dir, "herd.sqlite3"), systemClock, log);
  await migrateToLatest(db.kysely, "sqlite");
  return {
    db,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throw-away database on the given server, dropped afterwards. */
async function openPostgres(adminUrl: string): Promise<Backend> {
  const name = `herd_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = new PostgresDatabase(url.toString(), 10, systemClock, log);
  await migrateToLatest(db.kysely, "postgres");
  return {
    db,
    close: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
