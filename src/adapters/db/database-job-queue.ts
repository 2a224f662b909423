import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type {
  DeadJob,
  JobQueue,
  JobRequest,
  QueueCounts,
  QueueName,
  RunningWorker,
  WorkerOptions,
} from "../../ports/job-queue.ts";
import { DatabaseJobWorker, type QueueLogger } from "./database-job-worker.ts";
import { clearDeadRows, countJobRows, listDeadRows, retryDeadRows } from "./job-dead-set.ts";
import type { KyselyDatabase } from "./kysely-database.ts";

/** Tuning of the database queue; the defaults suit production, tests shorten the lock and the poll. */
export interface DatabaseJobQueueOptions {
  /** How long a claimed job is held without a heartbeat before another worker may run it again (default 30 s). */
  readonly lockMs?: number;
  /** Longest idle sleep between claims; commits in this process wake workers at once (default 250 ms). */
  readonly pollMs?: number;
  /** Most jobs claimed by one statement (default 50). */
  readonly batchSize?: number;
  /** Prefix of `locked_by`, for operators reading the table (default host:pid). */
  readonly workerId?: string;
  readonly log: QueueLogger;
}

/**
 * The JobQueue port on the `jobs` table itself: the embedded default, and on PostgreSQL (claims with
 * `FOR UPDATE SKIP LOCKED`) a queue that several processes share without Redis. Delivery is at least once: a job
 * whose worker dies is run again once its lock expires.
 */
export class DatabaseJobQueue implements JobQueue {
  readonly #db: KyselyDatabase;
  readonly #lockMs: number;
  readonly #pollMs: number;
  readonly #batchSize: number;
  readonly #workerId: string;
  readonly #log: QueueLogger;
  readonly #workers = new Set<RunningWorker>();

  constructor(db: KyselyDatabase, options: DatabaseJobQueueOptions) {
    this.#db = db;
    this.#lockMs = Math.max(100, options.lockMs ?? 30_000);
    this.#pollMs = Math.max(10, options.pollMs ?? 250);
    this.#batchSize = Math.max(1, options.batchSize ?? 50);
    this.#workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.#log = options.log;
  }

  async enqueue(jobs: readonly JobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#db.enqueue(jobs);
  }

  work(options: WorkerOptions): RunningWorker {
    const worker = new DatabaseJobWorker(this.#db, options, {
      lockMs: this.#lockMs,
      pollMs: this.#pollMs,
      batchSize: this.#batchSize,
      // Often enough that a dead worker's jobs come back soon after their lock expires, rarely enough to cost nothing.
      reapEveryMs: Math.min(5_000, this.#lockMs),
      token: `${this.#workerId}:${randomBytes(4).toString("hex")}`,
      log: this.#log,
    });
    const tracked: RunningWorker = {
      close: async (timeoutMs?: number) => {
        this.#workers.delete(tracked);
        await worker.close(timeoutMs);
      },
    };
    this.#workers.add(tracked);
    return tracked;
  }

  counts(queue: QueueName): Promise<QueueCounts> {
    return countJobRows(this.#db.kysely, queue, this.#db.clock.now());
  }

  listDead(queue: QueueName, limit: number): Promise<DeadJob[]> {
    return listDeadRows(this.#db.kysely, queue, limit);
  }

  async retryDead(queue: QueueName, ids?: readonly string[]): Promise<number> {
    const moved = await retryDeadRows(this.#db.kysely, queue, ids, this.#db.clock.now());
    if (moved > 0) for (const wake of this.#db.jobsCommitted) wake(new Set([queue]));
    return moved;
  }

  clearDead(queue: QueueName, ids?: readonly string[]): Promise<number> {
    return clearDeadRows(this.#db.kysely, queue, ids);
  }

  /** Closes workers still running (briefly waiting for their jobs); the database itself belongs to the caller. */
  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((w) => w.close(5_000)));
  }
}
