import { Queue, type Job } from "bullmq";
import type {
  DeadJob,
  JobQueue,
  JobRequest,
  QueueCounts,
  QueueName,
  RunningWorker,
  WorkerOptions,
} from "../../ports/job-queue.ts";
import { countJobRows } from "../db/job-dead-set.ts";
import type { KyselyDatabase } from "../db/kysely-database.ts";
import { bullmqConnection } from "./bullmq-connection.ts";
import { BullMQWorkerGroup, envelopeId } from "./bullmq-workers.ts";
import { OutboxRelay, bullJobId, type BullJobData } from "./outbox-relay.ts";

/** Where Redis is and how this process takes part (relay or not); lock policy as for the database queue. */
export interface BullMQJobQueueOptions {
  readonly redisUrl: string;
  /** BullMQ's key prefix (default "bull"); tests give each run its own. */
  readonly prefix?: string;
  /** BullMQ lockDuration: a job whose worker stops renewing its lock this long runs again elsewhere (default 30 s). */
  readonly lockMs?: number;
  /** Whether this process moves outbox rows to Redis (default true); any number of processes may. */
  readonly relay?: boolean;
  /** Relay poll interval (default 500 ms). */
  readonly relayPollMs?: number;
  readonly log: { error(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/** Stalled restarts BullMQ allows before failing a job: a worker killed once or twice must not dead-letter it. */
const MAX_STALLED_COUNT = 3;
/** Page size when walking BullMQ's failed set. */
const PAGE = 200;

/**
 * The JobQueue port on BullMQ. Jobs are still enqueued in the database (the outbox, so a job exists if and only
 * if its transaction committed); a relay moves them into Redis, where BullMQ workers run them. BullMQ's failed
 * set (jobs that failed their last attempt) is the dead set.
 */
export class BullMQJobQueue implements JobQueue {
  readonly #db: KyselyDatabase;
  readonly #redisUrl: string;
  readonly #prefix: string;
  readonly #lockMs: number;
  readonly #log: BullMQJobQueueOptions["log"];
  readonly #queues = new Map<QueueName, Queue<BullJobData>>();
  readonly #workers = new Set<BullMQWorkerGroup>();
  readonly #relay: OutboxRelay | null;

  constructor(db: KyselyDatabase, options: BullMQJobQueueOptions) {
    this.#db = db;
    this.#redisUrl = options.redisUrl;
    bullmqConnection(options.redisUrl, "queue"); // Rejects a malformed URL now rather than on the first job.
    this.#prefix = options.prefix ?? "bull";
    this.#lockMs = Math.max(100, options.lockMs ?? 30_000);
    this.#log = options.log;
    this.#relay =
      options.relay === false
        ? null
        : new OutboxRelay(db, (name) => this.#queue(name), { pollMs: options.relayPollMs, log: options.log });
    this.#relay?.start();
  }

  async enqueue(jobs: readonly JobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#db.enqueue(jobs);
  }

  work(options: WorkerOptions): RunningWorker {
    const group = new BullMQWorkerGroup(options, {
      redisUrl: this.#redisUrl,
      prefix: this.#prefix,
      lockMs: this.#lockMs,
      maxStalledCount: MAX_STALLED_COUNT,
      log: this.#log,
    });
    this.#workers.add(group);
    return {
      close: async (timeoutMs?: number) => {
        this.#workers.delete(group);
        await group.close(timeoutMs);
      },
    };
  }

  async counts(queue: QueueName): Promise<QueueCounts> {
    const [bull, outbox] = await Promise.all([
      this.#queue(queue).getJobCounts("waiting", "prioritized", "delayed", "active", "failed"),
      countJobRows(this.#db.kysely, queue, this.#db.clock.now()),
    ]);
    const n = (k: string) => bull[k] ?? 0;
    return {
      waiting: n("waiting") + n("prioritized") + outbox.waiting,
      delayed: n("delayed") + outbox.delayed,
      active: n("active"),
      dead: n("failed"),
    };
  }

  async listDead(queue: QueueName, limit: number): Promise<DeadJob[]> {
    const n = Math.max(0, Math.floor(limit));
    if (n === 0) return [];
    const jobs = await this.#queue(queue).getFailed(0, n - 1);
    return jobs.filter((j): j is Job<BullJobData> => Boolean(j)).map((job) => ({
      id: envelopeId(job.id),
      name: job.name,
      queue,
      payload: (job.data as BullJobData | undefined)?.payload ?? null,
      attempts: job.attemptsMade,
      error: describeFailure(job),
      failedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
    }));
  }

  async retryDead(queue: QueueName, ids?: readonly string[]): Promise<number> {
    // A fresh set of attempts, as the database queue gives.
    const retry = async (job: Job) => {
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return 1;
    };
    return this.#eachFailed(queue, ids, retry);
  }

  async clearDead(queue: QueueName, ids?: readonly string[]): Promise<number> {
    return this.#eachFailed(queue, ids, async (job) => {
      await job.remove();
      return 1;
    });
  }

  /** Stops the relay, closes workers still running (briefly waiting for their jobs) and every queue connection. */
  async close(): Promise<void> {
    await this.#relay?.stop();
    await Promise.all([...this.#workers].map((w) => w.close(5_000)));
    this.#workers.clear();
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((q) => q.close().catch((err: unknown) => this.#log.warn({ err }, "closing a BullMQ queue failed"))));
  }

  /** Applies `fn` to the queue's failed jobs named by `ids`, or to all of them; counts the successes. */
  async #eachFailed(queue: QueueName, ids: readonly string[] | undefined, fn: (job: Job) => Promise<number>): Promise<number> {
    const q = this.#queue(queue);
    let done = 0;
    const attempt = async (job: Job) => {
      try {
        done += await fn(job);
        return true;
      } catch (err) {
        // Typically the job left the failed set meanwhile (another admin, a concurrent retry): skip it.
        this.#log.warn({ err, jobId: job.id }, "dead job operation skipped");
        return false;
      }
    };
    if (ids !== undefined) {
      for (const id of ids) {
        const job = await q.getJob(/^\d+$/.test(id) ? bullJobId(id) : id);
        if (job && (await job.isFailed())) await attempt(job);
      }
      return done;
    }
    // Each pass empties the head of the failed set; stop when a pass changes nothing, so no job can loop us.
    for (;;) {
      const page = (await q.getFailed(0, PAGE - 1)).filter((j): j is Job<BullJobData> => Boolean(j));
      if (page.length === 0) return done;
      let changed = false;
      for (const job of page) if (await attempt(job)) changed = true;
      if (!changed) return done;
    }
  }

  #queue(name: QueueName): Queue<BullJobData> {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue<BullJobData>(name, { connection: bullmqConnection(this.#redisUrl, "queue"), prefix: this.#prefix });
      q.on("error", (err) => this.#log.error({ err, queue: name }, "BullMQ queue error"));
      this.#queues.set(name, q);
    }
    return q;
  }
}

/** The failure as the dead set shows it: BullMQ's reason, then the last stack trace when it adds anything. */
function describeFailure(job: Job): string {
  const reason = job.failedReason ?? "";
  const stack = job.stacktrace?.at(-1);
  return stack && stack !== reason ? (stack.includes(reason) ? stack : `${reason}\n${stack}`) : reason;
}
