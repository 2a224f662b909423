import { Kysely, type Transaction } from "kysely";
import { IdGenerator } from "../../domain/ids.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database, DatabaseEngine, PoolStats, Tx } from "../../ports/database.ts";
import type { JobRequest } from "../../ports/job-queue.ts";
import type { Repositories } from "../../ports/repositories/index.ts";
import { insertJobRows } from "./job-rows.ts";
import { createRepositories } from "./repositories/index.ts";
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
  /** Called after a transaction that enqueued jobs commits, so local workers and relays wake up at once. */
  readonly jobsCommitted = new Set<() => void>();
  protected readonly ids: IdGenerator;
  #log: Logger;

  constructor(kysely: Kysely<Tables>, clock: Clock, log: Logger) {
    this.kysely = kysely;
    this.clock = clock;
    this.#log = log;
    this.ids = new IdGenerator(() => clock.now());
    this.repos = createRepositories(kysely);
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
    let enqueued = false;
    let result: T;
    try {
      result = await this.kysely.transaction().execute(async (trx: Transaction<Tables>) => {
        const tx: Tx = {
          ...createRepositories(trx),
          nextId: () => this.ids.next(() => this.reserveBlock(trx), owner),
          enqueue: async (jobs: readonly JobRequest[]) => {
            const ids: bigint[] = [];
            for (let i = 0; i < jobs.length; i++) ids.push(await this.ids.next(() => this.reserveBlock(trx), owner));
            await insertJobRows(trx, jobs, ids, this.clock.now());
            if (jobs.length > 0) enqueued = true;
          },
          afterCommit: (cb) => void callbacks.push(cb),
        };
        return fn(tx);
      });
    } catch (error) {
      this.ids.discard(owner);
      throw error;
    }
    this.ids.settle(owner);
    if (enqueued) for (const wake of this.jobsCommitted) this.#safely(wake);
    for (const cb of callbacks) this.#safely(cb);
    return result;
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
