import { jobRequest, type JobContract, type JobEnvelope, type RetryPolicy } from "../ports/job-queue.ts";
import type { JobDeps } from "./deps.ts";

/** A job: its contract (name, queue, payload shape, retry policy) and an idempotent handler. */
export interface JobDefinition<P> extends JobContract<P> {
  /** Must be idempotent: it may run more than once, and must succeed quietly when its records are gone. */
  run(deps: JobDeps, payload: P, job: JobEnvelope): Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, backoffMs: 1_000 };

/** Declares a job; see JobDefinition. */
export function defineJob<P>(def: Omit<JobDefinition<P>, "retry"> & { retry?: RetryPolicy }): JobDefinition<P> {
  return { ...def, retry: def.retry ?? DEFAULT_RETRY };
}

export { jobRequest };
