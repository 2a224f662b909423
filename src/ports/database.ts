import type { JobRequest } from "./job-queue.ts";
import type { Repositories } from "./repositories/index.ts";

export type DatabaseEngine = "sqlite" | "postgres";

/** One database transaction: the repositories bound to it, plus the job outbox. */
export interface Tx extends Repositories {
  /**
   * Records jobs in this transaction (the outbox). They run if and only if the transaction commits; a rollback
   * leaves no trace of them.
   */
  enqueue(jobs: readonly JobRequest[]): Promise<void>;
  /** Runs after a successful commit (wakes workers, publishes events); errors are logged, never thrown back. */
  afterCommit(callback: () => void | Promise<void>): void;
  /** A new id, reserved through this transaction's connection (never call Database.nextId inside a transaction). */
  nextId(): Promise<bigint>;
}

export interface PoolStats {
  readonly total: number;
  readonly inUse: number;
  readonly waiting: number;
}

/** The durable store: SQLite for one process, PostgreSQL for many. Same repositories on both. */
export interface Database {
  readonly engine: DatabaseEngine;
  /** Repositories outside any transaction (each call commits on its own). */
  readonly repos: Repositories;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Records jobs that go with no other write (an incoming activity, say), committed when this resolves: one
   * statement where a transaction around it would cost two more round trips.
   */
  enqueue(jobs: readonly JobRequest[]): Promise<void>;
  /** A new 64-bit, time-sortable id (outside transactions; inside one, use Tx.nextId). */
  nextId(): Promise<bigint>;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  poolStats(): PoolStats;
  /** Routine maintenance the engine wants (SQLite: PRAGMA optimize and a WAL checkpoint; PostgreSQL: none). */
  maintain(): Promise<void>;
  close(): Promise<void>;
}
