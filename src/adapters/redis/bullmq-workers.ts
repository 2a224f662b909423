import { UnrecoverableError, Worker, type Job } from "bullmq";
import { isPermanentFailure, retryDelayMs, type JobEnvelope, type QueueName, type RunningWorker, type WorkerOptions } from "../../ports/job-queue.ts";
import { DEFAULT_BACKOFF_MS } from "../db/job-rows.ts";
import { observeSafely } from "../job-observer.ts";
import { normaliseQueues, WeightedSemaphore } from "../queue-weights.ts";
import { bullmqConnection } from "./bullmq-connection.ts";
import type { BullJobData } from "./outbox-relay.ts";

/** What every BullMQ Worker of a group shares: where Redis is, the key prefix and the lock policy. */
export interface BullMQWorkerSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly lockMs: number;
  /**
   * Times a job may be found stalled (its worker died or froze) and put back before BullMQ fails it. Above 1, so
   * a job is not dead-lettered just because its worker was killed once or twice.
   */
  readonly maxStalledCount: number;
  readonly log: { error(obj: object, msg?: string): void };
}

/** Our ids are the outbox row ids; BullMQ knows them with a prefix (see bullJobId). */
export const envelopeId = (bullId: string | undefined): string => (bullId && /^j\d+$/.test(bullId) ? bullId.slice(1) : String(bullId));

/**
 * The workers one `work()` call starts: a BullMQ Worker per queue, each allowed the whole concurrency, and a
 * shared semaphore that keeps the handlers running at once within it and gives freed slots out by queue weight.
 * A fixed split would leave a busy queue its share while the others' slots idle (with the default weights,
 * incoming activities would get two slots in eleven however quiet everything else is).
 */
export class BullMQWorkerGroup implements RunningWorker {
  readonly #workers: Worker<BullJobData>[] = [];
  readonly #work: WorkerOptions;
  readonly #limit: WeightedSemaphore | null;
  #running = 0;
  #idleWaiters: (() => void)[] = [];
  #closing: Promise<void> | null = null;

  constructor(work: WorkerOptions, settings: BullMQWorkerSettings) {
    this.#work = work;
    const queues = normaliseQueues(work.queues);
    const concurrency = Math.max(1, Math.floor(work.concurrency));
    this.#limit = queues.length > 1 ? new WeightedSemaphore(concurrency, queues) : null;
    // With several queues each Worker holds up to twice the slots, the extra ones waiting on the semaphore (still
    // locked: BullMQ renews the lock of every job it holds): a queue whose next job were still being fetched when
    // a slot freed would lose its turn to whichever queue had one waiting, and the weights would not hold.
    const fetched = queues.length > 1 ? 2 * concurrency : concurrency;
    for (const { queue } of queues) {
      const worker = new Worker<BullJobData>(queue, (job) => this.#process(queue, job), {
        connection: bullmqConnection(settings.redisUrl, "worker"),
        prefix: settings.prefix,
        concurrency: fetched,
        lockDuration: settings.lockMs,
        stalledInterval: Math.max(100, Math.floor(settings.lockMs / 2)),
        maxStalledCount: settings.maxStalledCount,
        settings: {
          backoffStrategy: (attemptsMade, _type, _err, job) => {
            const backoff = job?.opts.backoff;
            const base = typeof backoff === "object" && typeof backoff.delay === "number" ? backoff.delay : DEFAULT_BACKOFF_MS;
            return retryDelayMs(attemptsMade, base);
          },
        },
      });
      // Without a listener an 'error' event (Redis gone, a late completion after a forced close) kills the process.
      worker.on("error", (err) => settings.log.error({ err, queue }, "BullMQ worker error"));
      this.#workers.push(worker);
    }
  }

  async #process(queue: QueueName, job: Job<BullJobData>): Promise<void> {
    // Counted from the moment BullMQ hands the job over, so close waits for jobs queued on the semaphore too.
    this.#running++;
    try {
      await this.#limit?.acquire(queue);
      try {
        await this.#run(queue, job);
      } finally {
        this.#limit?.release();
      }
    } finally {
      this.#running--;
      if (this.#running === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #run(queue: QueueName, job: Job<BullJobData>): Promise<void> {
    const envelope: JobEnvelope = {
      id: envelopeId(job.id),
      name: job.name,
      queue,
      payload: job.data?.payload ?? null,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      // attemptsMade counts failures only; a run cut off by a lost worker (a stalled job) shows in attemptsStarted.
      redelivered: job.attemptsMade > 0 || (job.attemptsStarted ?? 1) > 1,
    };
    const observer = this.#work.observer;
    observeSafely(() => observer?.started?.(envelope, Math.max(0, Date.now() - job.timestamp - (job.delay ?? 0))));
    const began = performance.now();
    try {
      await this.#work.handler(envelope);
      observeSafely(() => observer?.finished?.(envelope, performance.now() - began, "completed"));
    } catch (error) {
      const permanent = isPermanentFailure(error);
      const outcome = envelope.attempt < envelope.maxAttempts && !permanent ? "retry" : "dead";
      observeSafely(() => observer?.finished?.(envelope, performance.now() - began, outcome, error));
      const message = error instanceof Error ? error.message : String(error);
      // BullMQ's UnrecoverableError skips the remaining attempts; it also records only Errors' messages.
      if (permanent) throw new UnrecoverableError(message);
      throw error instanceof Error ? error : new Error(message);
    }
  }

  close(timeoutMs = 10_000): Promise<void> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    // Stop fetching first, then give running jobs their time; only then close, forcing if some are still running.
    await Promise.all(this.#workers.map((w) => w.pause(true).catch(() => undefined)));
    await this.#whenIdle(timeoutMs);
    // Forced, BullMQ stops renewing the stuck jobs' locks: they expire, another worker's stalled check finds them
    // and they run again there.
    const force = this.#running > 0;
    await Promise.all(this.#workers.map((w) => w.close(force).catch(() => undefined)));
  }

  #whenIdle(timeoutMs: number): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, timeoutMs));
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
