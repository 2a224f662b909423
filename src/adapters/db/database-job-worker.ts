import type { DatabaseEngine } from "../../ports/database.ts";
import type { QueueName, RunningWorker, WorkerOptions } from "../../ports/job-queue.ts";
import { observeSafely } from "../job-observer.ts";
import { WeightedRoundRobin } from "../queue-weights.ts";
import {
  claimJobs,
  deleteCompleted,
  extendLocks,
  queuesWithDueJobs,
  reapExpired,
  recordFailure,
  type ClaimedJob,
} from "./job-claims.ts";
import type { KyselyDatabase } from "./kysely-database.ts";
import { Wakeup } from "../wakeup.ts";

/** The logging the queue needs (pino's call shape). */
export interface QueueLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** How a database worker claims, holds and polls; chosen by DatabaseJobQueue. */
export interface DatabaseWorkerSettings {
  /** How long a claim holds a job before the reaper may hand it to someone else. */
  readonly lockMs: number;
  /** Longest sleep when there is nothing to claim (other processes' commits do not wake this one). */
  readonly pollMs: number;
  /** Most jobs taken in one claim statement. */
  readonly batchSize: number;
  readonly reapEveryMs: number;
  /** Unique per worker instance: written to `locked_by`, it tells this worker's claims from everyone else's. */
  readonly token: string;
  readonly log: QueueLogger;
}

/** Pause after a failed loop iteration (database unreachable), so a broken database is not hammered. */
const ERROR_PAUSE_MS = 1_000;

/**
 * One `work()` call of the database queue: a loop that claims due jobs by queue weight into free slots, runs
 * them, deletes the completed ones in batches and records failures; a heartbeat keeps its locks alive and a
 * reaper returns other workers' expired jobs to waiting.
 */
export class DatabaseJobWorker implements RunningWorker {
  readonly #db: KyselyDatabase;
  readonly #engine: DatabaseEngine;
  readonly #work: WorkerOptions;
  readonly #settings: DatabaseWorkerSettings;
  readonly #concurrency: number;
  readonly #weights: WeightedRoundRobin;
  /** Queues that may have due work; emptied by claims that come back short, refilled on wake-ups and polls. */
  #hasWork: Set<QueueName>;
  readonly #running = new Map<bigint, ClaimedJob>();
  /** Writes still in flight (failures, heartbeats), awaited by close. */
  readonly #pending = new Set<Promise<unknown>>();
  #completed: bigint[] = [];
  #flushing: Promise<void> | null = null;
  #stopping = false;
  #closing: Promise<void> | null = null;
  readonly #wakeup = new Wakeup();
  #idleWaiters: (() => void)[] = [];
  #lastReap = 0;
  readonly #loop: Promise<void>;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #onCommit = () => {
    this.#hasWork = new Set(this.#weights.queues);
    this.#signal();
  };

  constructor(db: KyselyDatabase, work: WorkerOptions, settings: DatabaseWorkerSettings) {
    this.#db = db;
    this.#engine = db.engine;
    this.#work = work;
    this.#settings = settings;
    this.#concurrency = Math.max(1, Math.floor(work.concurrency));
    this.#weights = new WeightedRoundRobin(work.queues);
    this.#hasWork = new Set(this.#weights.queues);
    db.jobsCommitted.add(this.#onCommit);
    this.#heartbeat = setInterval(() => this.#beat(), Math.max(50, Math.floor(settings.lockMs / 3)));
    this.#heartbeat.unref();
    this.#loop = this.#run();
  }

  close(timeoutMs = 10_000): Promise<void> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#db.jobsCommitted.delete(this.#onCommit);
    this.#signal();
    await this.#loop;
    await this.#whenIdle(timeoutMs);
    // Jobs still running past the timeout lose their heartbeat: their locks expire and the reaper of whichever
    // worker runs next hands them out again.
    clearInterval(this.#heartbeat);
    await this.#flush();
    await Promise.allSettled([...this.#pending]);
  }

  async #run(): Promise<void> {
    let nextPoll = 0;
    while (!this.#stopping) {
      try {
        const tick = performance.now();
        const now = this.#db.clock.now();
        if (tick >= nextPoll) {
          // Other processes' commits do not wake this one, nor does a delayed job's time coming: look now and then.
          nextPoll = tick + this.#settings.pollMs;
          for (const q of await queuesWithDueJobs(this.#db.kysely, this.#weights.queues, now)) this.#hasWork.add(q);
        }
        if (now - this.#lastReap >= this.#settings.reapEveryMs) {
          this.#lastReap = now;
          if ((await reapExpired(this.#db.kysely, now)) > 0) this.#hasWork = new Set(this.#weights.queues);
        }
        const free = this.#concurrency - this.#running.size;
        if (free > 0 && this.#hasWork.size > 0) await this.#claim(Math.min(free, this.#settings.batchSize));
        else await this.#sleep(Math.max(1, nextPoll - performance.now()));
      } catch (err) {
        this.#settings.log.error({ err }, "job worker loop failed; retrying");
        await this.#sleep(ERROR_PAUSE_MS);
      }
    }
  }

  /** Shares `slots` among the queues that may have work by weight, then claims each share in one statement. */
  async #claim(slots: number): Promise<void> {
    const shares = this.#weights.allocate(slots, this.#hasWork);
    for (const [queue, n] of shares) {
      if (this.#stopping) return;
      const now = this.#db.clock.now();
      const jobs = await claimJobs(this.#db.kysely, this.#engine, queue, n, now, this.#settings.lockMs, this.#settings.token);
      if (jobs.length < n) this.#hasWork.delete(queue);
      for (const job of jobs) this.#start(job, now);
    }
  }

  #start(job: ClaimedJob, now: number): void {
    this.#running.set(job.id, job);
    const observer = this.#work.observer;
    observeSafely(() => observer?.started?.(job.envelope, Math.max(0, now - job.runAt)));
    const began = performance.now();
    Promise.resolve()
      .then(() => this.#work.handler(job.envelope))
      .then(
        () => {
          this.#finished(job);
          this.#completed.push(job.id);
          this.#flushing ??= this.#flush();
          observeSafely(() => observer?.finished?.(job.envelope, performance.now() - began, "completed"));
        },
        (error: unknown) => {
          this.#finished(job);
          const write = recordFailure(this.#db.kysely, job, this.#settings.token, error, this.#db.clock.now()).then(
            (outcome) => {
              const reported = outcome === "dead" ? "dead" : "retry";
              observeSafely(() => observer?.finished?.(job.envelope, performance.now() - began, reported, error));
            },
            (err: unknown) => this.#settings.log.warn({ err, jobId: job.envelope.id }, "could not record a job failure; it will be reaped"),
          );
          this.#pending.add(write);
          void write.finally(() => this.#pending.delete(write));
        },
      );
  }

  #finished(job: ClaimedJob): void {
    this.#running.delete(job.id);
    if (this.#running.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    this.#signal();
  }

  /** Deletes completed jobs; completions that arrive meanwhile are batched into the next statement. */
  async #flush(): Promise<void> {
    try {
      while (this.#completed.length > 0) {
        const ids = this.#completed;
        this.#completed = [];
        try {
          await deleteCompleted(this.#db.kysely, ids, this.#settings.token);
        } catch (err) {
          // Left active, these jobs are reaped and run again once their lock expires: at least once, never lost.
          this.#settings.log.warn({ err, count: ids.length }, "could not delete completed jobs");
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  #beat(): void {
    if (this.#running.size === 0) return;
    const until = this.#db.clock.now() + this.#settings.lockMs;
    const write = extendLocks(this.#db.kysely, [...this.#running.keys()], this.#settings.token, until).catch((err: unknown) =>
      this.#settings.log.warn({ err }, "could not extend job locks"),
    );
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  #whenIdle(timeoutMs: number): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, timeoutMs));
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #sleep(ms: number): Promise<void> {
    return this.#stopping ? Promise.resolve() : this.#wakeup.sleep(ms);
  }

  #signal(): void {
    this.#wakeup.wake();
  }
}
