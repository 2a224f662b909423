import type { z } from "zod";

/** The queues, named by user impact as Mastodon names them. */
export const QUEUE_NAMES = ["default", "ingress", "push", "pull", "mailers", "scheduler"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** A job to run: ids in the payload, never whole objects; `name` picks the handler. */
export interface JobRequest {
  readonly name: string;
  readonly queue: QueueName;
  /** JSON-serialisable; validated by the job definition's schema when it runs. */
  readonly payload: unknown;
  /** Run no earlier than this many milliseconds after the transaction commits. */
  readonly delayMs?: number;
  /** While a job with this key waits to run, enqueueing another with the same key does nothing. */
  readonly dedupKey?: string;
  /** Runs in all, counting the first (default 8). After the last failure the job goes to the dead set. */
  readonly maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in ms (default 1,000). */
  readonly backoffMs?: number;
}

/** A job as a handler sees it. */
export interface JobEnvelope {
  readonly id: string;
  readonly name: string;
  readonly queue: QueueName;
  readonly payload: unknown;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * Whether an earlier run of this job may have started: a retry after a failure, or a run again after its
   * worker was lost while holding it (which `attempt` does not count on every backend). A handler that does
   * work after its own commit redoes that work when its state change is found already made.
   */
  readonly redelivered: boolean;
}

export interface WeightedQueue {
  readonly queue: QueueName;
  /** Relative share of claims this queue gets when several have work (default 1). */
  readonly weight: number;
}

export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly dead: number;
}

export interface DeadJob {
  readonly id: string;
  readonly name: string;
  readonly queue: QueueName;
  readonly payload: unknown;
  readonly attempts: number;
  readonly error: string;
  /** ms since the epoch of the last failure. */
  readonly failedAt: number;
}

/** Observes jobs as workers run them (metrics, logs). */
export interface JobObserver {
  started?(job: JobEnvelope, waitedMs: number): void;
  finished?(job: JobEnvelope, durationMs: number, outcome: "completed" | "retry" | "dead", error?: unknown): void;
}

export interface WorkerOptions {
  readonly queues: readonly WeightedQueue[];
  /** Jobs run at once in this process. */
  readonly concurrency: number;
  /**
   * Runs one job; a throw means failure (retried with backoff, then dead). An error for which
   * `isPermanentFailure` is true sends the job to the dead set at once: retrying cannot help it.
   */
  readonly handler: (job: JobEnvelope) => Promise<void>;
  readonly observer?: JobObserver;
}

/** A running set of workers; `close` stops claiming and waits (bounded) for running jobs. */
export interface RunningWorker {
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Durable jobs. Enqueueing always goes through the database (`Tx.enqueue`, the outbox), so a job exists if and
 * only if the transaction that implied it committed; adapters differ in how they hand the jobs to workers.
 */
export interface JobQueue {
  /** Enqueues in a transaction of its own, for callers that change no other state. */
  enqueue(jobs: readonly JobRequest[]): Promise<void>;
  /** Starts workers in this process. */
  work(options: WorkerOptions): RunningWorker;
  counts(queue: QueueName): Promise<QueueCounts>;
  listDead(queue: QueueName, limit: number): Promise<DeadJob[]>;
  /** Moves dead jobs back to waiting (all of the queue's when `ids` is omitted); returns how many. */
  retryDead(queue: QueueName, ids?: readonly string[]): Promise<number>;
  /** Deletes dead jobs (all of the queue's when `ids` is omitted); returns how many. */
  clearDead(queue: QueueName, ids?: readonly string[]): Promise<number>;
  /** Stops background loops (outbox relay) and closes connections it owns. */
  close(): Promise<void>;
}

/** True for errors that mark a job as unable ever to succeed (unknown job name, invalid payload). */
export function isPermanentFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { permanent?: unknown }).permanent === true;
}

/** Exponential backoff with full jitter on the upper half: attempt 1 waits about base, attempt n about base·2^(n-1). */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export interface RetryPolicy {
  /** Runs in all, counting the first. */
  readonly attempts: number;
  /** Base of the exponential backoff in ms. */
  readonly backoffMs: number;
}

/**
 * What an enqueuer and a handler agree on: the job's name, queue, payload shape (ids only) and retry policy.
 * Services enqueue by contract (they never import handlers); src/jobs/ pairs each contract with its handler.
 */
export interface JobContract<P> {
  readonly name: string;
  readonly queue: QueueName;
  readonly payload: z.ZodType<P>;
  readonly retry: RetryPolicy;
}

/** The request to enqueue a job of `contract` with `payload` (in a transaction: `tx.enqueue([jobRequest(…)])`). */
export function jobRequest<P>(
  contract: JobContract<P>,
  payload: P,
  options: { delayMs?: number; dedupKey?: string } = {},
): JobRequest {
  return {
    name: contract.name,
    queue: contract.queue,
    payload,
    maxAttempts: contract.retry.attempts,
    backoffMs: contract.retry.backoffMs,
    ...options,
  };
}
