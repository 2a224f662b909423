import type { JobsOptions } from "bullmq";
import type { Kysely } from "kysely";
import type { KyselyDatabase } from "../db/kysely-database.ts";
import { ID_CHUNK } from "../db/job-claims.ts";
import { toNum } from "../db/repositories/convert.ts";
import type { Tables } from "../db/schema.ts";
import type { QueueName } from "../../ports/job-queue.ts";
import { Wakeup } from "../wakeup.ts";

/** What the relay needs of a BullMQ queue (the real Queue has it). */
export interface BulkAdder {
  addBulk(jobs: { name: string; data: BullJobData; opts?: JobsOptions }[]): Promise<unknown>;
}

/** A job's data in Redis: the payload, wrapped so any JSON value (null, a number) round-trips. */
export interface BullJobData {
  readonly payload: unknown;
}

/** How often and how much the relay moves. */
export interface OutboxRelayOptions {
  /** Longest sleep between looks at the table; commits in this process wake the relay at once (default 500 ms). */
  readonly pollMs?: number;
  /** Jobs due within this much time are relayed early, as BullMQ delayed jobs, so they start on time (default 2 s). */
  readonly slackMs?: number;
  /** Rows per relay transaction (default 500). */
  readonly batchSize?: number;
  readonly log: { error(obj: object, msg?: string): void };
}

/** The relay batch running per database in this process (SQLite), so two relays never move the same rows. */
const turns = new WeakMap<object, Promise<unknown>>();

function inTurn<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const mine = previous.then(fn, fn);
  turns.set(key, mine.catch(() => undefined));
  return mine;
}

/** BullMQ refuses integer-looking custom ids; the prefix also makes a row's job recognisable in Redis. */
export const bullJobId = (rowId: string | bigint): string => `j${rowId}`;

/**
 * Moves due rows of the `jobs` outbox into BullMQ, a batch at a time: select, add to Redis, delete. On PostgreSQL
 * in one transaction with `FOR UPDATE SKIP LOCKED`, so every process can relay at once without duplicates.
 * A crash between the add and the delete leaves the rows to be relayed again under the same job ids, which
 * BullMQ ignores while the first copy exists: a job may run twice, never zero times.
 */
export class OutboxRelay {
  readonly #db: KyselyDatabase;
  readonly #queue: (name: QueueName) => BulkAdder;
  readonly #pollMs: number;
  readonly #slackMs: number;
  readonly #batchSize: number;
  readonly #log: OutboxRelayOptions["log"];
  #stopped = false;
  readonly #wakeup = new Wakeup();
  #loop: Promise<void> | null = null;
  readonly #onCommit = () => this.#signal();

  constructor(db: KyselyDatabase, queue: (name: QueueName) => BulkAdder, options: OutboxRelayOptions) {
    this.#db = db;
    this.#queue = queue;
    this.#pollMs = Math.max(10, options.pollMs ?? 500);
    this.#slackMs = Math.max(0, options.slackMs ?? 2_000);
    this.#batchSize = Math.max(1, options.batchSize ?? 500);
    this.#log = options.log;
  }

  start(): void {
    if (this.#loop || this.#stopped) return;
    this.#db.jobsCommitted.add(this.#onCommit);
    this.#loop = this.#run();
  }

  /** Stops the loop after the batch in flight (whose transaction then commits or rolls back as usual). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#db.jobsCommitted.delete(this.#onCommit);
    this.#signal();
    await this.#loop;
  }

  /** Relays one batch now; returns how many rows moved. */
  relayOnce(): Promise<number> {
    if (this.#db.engine === "postgres") return this.#db.kysely.transaction().execute((trx) => this.#relayBatch(trx));
    // On SQLite a transaction would hold the only connection, and so every query of the process, across the
    // Redis round trip (seconds while Redis is unreachable). One process owns the file, so the relays of a
    // database take turns in memory instead, and a crash between add and delete is covered by the job ids.
    return inTurn(this.#db, () => this.#relayBatch(this.#db.kysely));
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let moved = 0;
      try {
        moved = await this.relayOnce();
      } catch (err) {
        this.#log.error({ err }, "job outbox relay failed; retrying");
        await this.#sleep(Math.max(this.#pollMs, 1_000));
        continue;
      }
      if (moved < this.#batchSize) await this.#sleep(this.#pollMs);
    }
  }

  async #relayBatch(trx: Kysely<Tables>): Promise<number> {
    const now = this.#db.clock.now();
    const select = trx
      .selectFrom("jobs")
      .select(["id", "queue", "name", "payload", "max_attempts", "backoff_ms", "run_at", "dedup_key"])
      .where("state", "=", "waiting")
      .where("run_at", "<=", BigInt(now + this.#slackMs))
      .orderBy("run_at")
      .limit(this.#batchSize);
    const rows = await (this.#db.engine === "postgres" ? select.forUpdate().skipLocked() : select).execute();
    if (rows.length === 0) return 0;
    const byQueue = new Map<QueueName, { name: string; data: BullJobData; opts: JobsOptions }[]>();
    for (const row of rows) {
      const list = byQueue.get(row.queue as QueueName) ?? [];
      list.push({
        name: row.name,
        data: { payload: JSON.parse(row.payload) },
        opts: {
          jobId: bullJobId(row.id),
          delay: Math.max(0, toNum(row.run_at) - now),
          attempts: toNum(row.max_attempts),
          backoff: { type: "herd", delay: toNum(row.backoff_ms) },
          removeOnComplete: true,
          // Jobs that failed their last attempt stay in BullMQ's failed set: that is the dead set.
          removeOnFail: false,
          // keepLastIfActive: while a job with this key runs, a new one waits to run after it (the table's rule:
          // one *waiting* job per key), instead of being dropped as a duplicate of the running one.
          ...(row.dedup_key !== null ? { deduplication: { id: row.dedup_key, keepLastIfActive: true } } : {}),
        },
      });
      byQueue.set(row.queue as QueueName, list);
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => this.#queue(queue).addBulk(jobs)));
    const ids = rows.map((r) => BigInt(r.id));
    for (let i = 0; i < ids.length; i += ID_CHUNK) await trx.deleteFrom("jobs").where("id", "in", ids.slice(i, i + ID_CHUNK)).execute();
    return rows.length;
  }

  #sleep(ms: number): Promise<void> {
    return this.#stopped ? Promise.resolve() : this.#wakeup.sleep(ms);
  }

  #signal(): void {
    this.#wakeup.wake();
  }
}
