import { Kysely, type Transaction } from "kysely";
import { IdGenerator } from "../../domain/ids.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database, DatabaseEngine, PoolStats, Tx } from "../../ports/database.ts";
import type { JobRequest, QueueName } from "../../ports/job-queue.ts";
import type { Repositories } from "../../ports/repositories/index.ts";
import { insertJobRows, ROWS_PER_INSERT } from "./job-rows.ts";
import { createRepositories, type RowCaches } from "./repositories/index.ts";
import { WriteCoalescer } from "./write-coalescer.ts";
import type { Tables } from "./schema.ts";

export interface Logger {
  error(obj: unknown, msg?: string): void;
}

/**
 * The Database port over Kysely, shared by SQLite and PostgreSQL: the engines differ only in how they open,
 * reserve id blocks and report their pool. Other adapters in adapters/db use `kysely` directly.
 */
export abstract class KyselyDatabase implements Database {
  abstract readonly engine: DatabaseEngine;
  readonly kysely: Kysely<Tables>;
  readonly repos: Repositories;
  readonly clock: Clock;
  /**
   * Called after a transaction that enqueued jobs commits, with the queues it enqueued to, so local workers and
   * relays wake up at once, and workers claim only from those queues (not one empty claim per queue they serve).
   */
  readonly jobsCommitted = new Set<(queues: ReadonlySet<QueueName>) => void>();
  protected readonly ids: IdGenerator;
  #log: Logger;
  // Jobs enqueued on their own (an inbox's, one per incoming activity) at the same moment share one INSERT. Rows
  // with and without a dedup key are two statements (job-rows.ts): a transaction keeps such a batch atomic.
  #jobWrites = new WriteCoalescer<{ readonly job: JobRequest; readonly id: bigint }>((items) => {
    const write = (db: Kysely<Tables>) => insertJobRows(db, items.map((i) => i.job), items.map((i) => i.id), this.clock.now());
    const keyed = items.filter((i) => (i.job.dedupKey ?? null) !== null).length;
    return keyed === 0 || keyed === items.length ? write(this.kysely) : this.kysely.transaction().execute(write);
  }, ROWS_PER_INSERT);

  /** `caches`: rows the engine may keep in memory for reads outside transactions (SQLite's, sqlite-row-cache.ts). */
  constructor(kysely: Kysely<Tables>, clock: Clock, log: Logger, caches: RowCaches = {}) {
    this.kysely = kysely;
    this.clock = clock;
    this.#log = log;
    this.ids = new IdGenerator(() => clock.now());
    this.repos = createRepositories(kysely, caches);
  }

  /** Takes the next id block number through the given connection. */
  protected abstract reserveBlock(db: Kysely<Tables>): Promise<number>;
  abstract poolStats(): PoolStats;
  abstract maintain(): Promise<void>;
  protected abstract closePool(): Promise<void>;

  nextId(): Promise<bigint> {
    return this.ids.next(() => this.reserveBlock(this.kysely));
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const callbacks: (() => void | Promise<void>)[] = [];
    const owner = {};
    const enqueued = new Set<QueueName>();
    const pendingJobs: JobRequest[] = [];
    const jobIds: bigint[] = [];
    let result: T;
    try {
      result = await this.kysely.transaction().execute(async (trx: Transaction<Tables>) => {
        const tx: Tx = {
          ...createRepositories(trx),
          nextId: () => this.ids.next(() => this.reserveBlock(trx), owner),
          enqueue: async (jobs: readonly JobRequest[]) => {
            for (const job of jobs) {
              jobIds.push(await this.ids.next(() => this.reserveBlock(trx), owner));
              pendingJobs.push(job);
              enqueued.add(job.queue);
            }
          },
          afterCommit: (cb) => void callbacks.push(cb),
        };
        const value = await fn(tx);
        // Jobs are written once, just before the commit: a post enqueues from several services, and one multi-row
        // INSERT costs a round trip where one per enqueue call cost several. Nothing reads its own jobs back.
        await insertJobRows(trx, pendingJobs, jobIds, this.clock.now());
        return value;
      });
    } catch (error) {
      this.ids.discard(owner);
      throw error;
    }
    this.ids.settle(owner);
    if (enqueued.size > 0) for (const wake of this.jobsCommitted) this.#safely(() => wake(enqueued));
    for (const cb of callbacks) this.#safely(cb);
    return result;
  }

  async enqueue(jobs: readonly JobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    // More rows than one INSERT takes would be several statements: atomic only in a transaction.
    if (jobs.length > ROWS_PER_INSERT) return this.transaction((tx) => tx.enqueue(jobs));
    const items: { job: JobRequest; id: bigint }[] = [];
    for (const job of jobs) items.push({ job, id: await this.nextId() });
    await this.#jobWrites.write(items);
    const queues = new Set(jobs.map((j) => j.queue));
    for (const wake of this.jobsCommitted) this.#safely(() => wake(queues));
  }

  async ping(): Promise<void> {
    await this.kysely.selectNoFrom((eb) => eb.lit(1).as("one")).execute();
  }

  async close(): Promise<void> {
    await this.closePool();
  }

  #safely(cb: () => void | Promise<void>): void {
    try {
      const r = cb();
      if (r && typeof (r as Promise<void>).catch === "function")
        (r as Promise<void>).catch((err) => this.#log.error({ err }, "after-commit callback failed"));
    } catch (err) {
      this.#log.error({ err }, "after-commit callback failed");
    }
  }
}
