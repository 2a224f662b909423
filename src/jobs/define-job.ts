import type { z } from "zod";
import type { JobEnvelope, JobRequest, QueueName } from "../ports/job-queue.ts";
import type { JobDeps } from "./deps.ts";

export interface RetryPolicy {
  /** Runs in all, counting the first. */
  readonly attempts: number;
  /** Base of the exponential backoff in ms. */
  readonly backoffMs: number;
}

/** A job: a name, the queue it runs on, the shape of its payload (ids only) and an idempotent handler. */
export interface JobDefinition<P> {
  readonly name: string;
  readonly queue: QueueName;
  readonly payload: z.ZodType<P>;
  readonly retry: RetryPolicy;
  /** Must be idempotent: it may run more than once, and must succeed quietly when its records are gone. */
  run(deps: JobDeps, payload: P, job: JobEnvelope): Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, backoffMs: 1_000 };

/** Declares a job; see JobDefinition. */
export function defineJob<P>(def: Omit<JobDefinition<P>, "retry"> & { retry?: RetryPolicy }): JobDefinition<P> {
  return { ...def, retry: def.retry ?? DEFAULT_RETRY };
}

/** The request to enqueue `def` with `payload` (inside a transaction: `tx.enqueue([jobRequest(...)])`). */
export function jobRequest<P>(
  def: JobDefinition<P>,
  payload: P,
  options: { delayMs?: number; dedupKey?: string } = {},
): JobRequest {
  return {
    name: def.name,
    queue: def.queue,
    payload,
    maxAttempts: def.retry.attempts,
    backoffMs: def.retry.backoffMs,
    ...options,
  };
}
