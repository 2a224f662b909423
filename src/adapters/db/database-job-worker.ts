import type { DatabaseEngine } from "../../ports/database.ts";
import type { QueueName, RunningWorker, WorkerOptions } from "../../ports/job-queue.ts";
import { observeSafely } from "../job-observer.ts";
import { WeightedRoundRobin } from "../queue-weights.ts";
import {
  claimJobs,
  deleteCompleted,
  extendLocks,
  moveToWaiting,
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

/** How long completed jobs wait to be deleted together. */
const FLUSH_DELAY_MS = 5;

/**
 * After a claim that emptied the queues, the next claim waits until this long after it. Jobs enqueued one by one
 * (an ingest or a fan-out per request) otherwise cost a claim statement each, and a claim is a write: on SQLite a
 * commit of its own, dearer than most jobs' reads. A job arriving after a quiet spell is claimed at once; a
 * stream of them is claimed in batches, each job waiting at most this long.
 */
const CLAIM_COALESCE_MS = 15;

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
  /**
   * Claimed ahead of a free slot (at most `concurrency` of them): without them every finished job cost a claim
   * statement of its own, as slots free up one at a time. Their locks are kept alive with the running ones'.
   */
  #claimedAhead: ClaimedJob[] = [];
  /** Writes still in flight (failures, heartbeats), awaited by close. */
  readonly #pending = new Set<Promise<unknown>>();
  #completed: bigint[] = [];
  #flushing: Promise<void> | null = null;
  #stopping = false;
  #closing: Promise<void> | null = null;
  readonly #wakeup = new Wakeup();
  #idleWaiters: (() => void)[] = [];
  #lastReap = 0;
  /** When a claim last got fewer jobs than it asked for (performance.now()). */
  #drainedAt = Number.NEGATIVE_INFINITY;
  readonly #loop: Promise<void>;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #onCommit = (queues: ReadonlySet<QueueName>) => {
    let served = false;
    for (const q of queues) {
      if (!this.#served.has(q)) continue;
      this.#hasWork.add(q);
      served = true;
    }
    if (served) this.#signal();
  };
  readonly #served: ReadonlySet<QueueName>;

  constructor(db: KyselyDatabase, work: WorkerOptions, settings: DatabaseWorkerSettings) {
    this.#db = db;
    this.#engine = db.engine;
    this.#work = work;
    this.#settings = settings;
    this.#concurrency = Math.max(1, Math.floor(work.concurrency));
    this.#weights = new WeightedRoundRobin(work.queues);
    this.#served = new Set(this.#weights.queues);
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
    await this.#release();
    await this.#whenIdle(timeoutMs);
    // Jobs still running past the timeout lose their heartbeat: their locks expire and the reaper of whichever
    // worker runs next hands them out again.
    clearInterval(this.#heartbeat);
    await this.#flushing;
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
        let free = this.#concurrency - this.#running.size;
        while (free > 0 && this.#claimedAhead.length > 0) {
          this.#start(this.#claimedAhead.shift()!, this.#db.clock.now());
          free--;
        }
        const claimable = free > 0 && this.#hasWork.size > 0;
        const coalesce = this.#drainedAt + CLAIM_COALESCE_MS - performance.now();
        if (claimable && coalesce <= 0) await this.#claim(Math.min(free + this.#concurrency, this.#settings.batchSize), free);
        else await this.#sleep(Math.max(1, claimable ? coalesce : nextPoll - performance.now()));
      } catch (err) {
        this.#settings.log.error({ err }, "job worker loop failed; retrying");
        await this.#sleep(ERROR_PAUSE_MS);
      }
    }
  }

  /**
   * Shares `slots` among the queues that may have work by weight, then claims every share in one statement;
   * starts `free` of the jobs and keeps the rest for the next slots that free up.
   */
  async #claim(slots: number, free: number): Promise<void> {
    const shares = this.#weights.allocate(slots, this.#hasWork);
    if (this.#stopping || shares.size === 0) return;
    const now = this.#db.clock.now();
    const jobs = await claimJobs(this.#db.kysely, this.#engine, shares, now, this.#settings.lockMs, this.#settings.token);
    const got = new Map<QueueName, number>();
    for (const job of jobs) got.set(job.envelope.queue, (got.get(job.envelope.queue) ?? 0) + 1);
    for (const [queue, n] of shares) if ((got.get(queue) ?? 0) < n) this.#hasWork.delete(queue);
    if (jobs.length < slots) this.#drainedAt = performance.now();
    for (const job of jobs) {
      if (free > 0) {
        this.#start(job, now);
        free--;
      } else this.#claimedAhead.push(job);
    }
  }

  /** Hands jobs claimed ahead back to waiting (closing: they must not wait for this worker's lock to expire). */
  async #release(): Promise<void> {
    const jobs = this.#claimedAhead.splice(0);
    for (const job of jobs) {
      const ours: Parameters<typeof moveToWaiting>[2] = (eb) =>
        eb.and([eb("state", "=", "active"), eb("locked_by", "=", this.#settings.token), eb("attempts", "=", job.envelope.attempt)]);
      try {
        // The claim counted a run that never happened.
        await moveToWaiting(this.#db.kysely, job.id, ours, { attempts: job.envelope.attempt - 1 });
      } catch (err) {
        this.#settings.log.warn({ err, jobId: job.envelope.id }, "could not release a claimed job; it will be reaped");
      }
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
          this.#flushing ??= this.#flushSoon();
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

  /**
   * Deletes completed jobs after a moment's wait, so the completions of the jobs running beside this one share
   * its statement (one DELETE per job was a third of the queue's statements).
   */
  async #flushSoon(): Promise<void> {
    // Not unref'd: close() awaits this, and a process whose only pending work is an unref'd timer exits before.
    if (this.#completed.length < this.#settings.batchSize) await new Promise((resolve) => setTimeout(resolve, FLUSH_DELAY_MS));
    await this.#flush();
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
    if (this.#running.size === 0 && this.#claimedAhead.length === 0) return;
    const until = this.#db.clock.now() + this.#settings.lockMs;
    const held = [...this.#running.keys(), ...this.#claimedAhead.map((job) => job.id)];
    const write = extendLocks(this.#db.kysely, held, this.#settings.token, until).catch((err: unknown) =>
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
