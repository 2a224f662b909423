import { randomUUID } from "node:crypto";
import { jobRequest } from "../jobs/define-job.ts";
import type { Clock } from "../ports/clock.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { LeaseStore } from "../ports/lease.ts";
import type { Logger } from "../ports/logger.ts";
import { periodLength, periodStart, type PeriodicJob } from "./periodic.ts";

export interface SchedulerOptions {
  readonly jobs: readonly PeriodicJob[];
  readonly leases: LeaseStore;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly log: Logger;
  /** How often to look for a new period (default 1 s). */
  readonly tickMs?: number;
}

/**
 * Fires each periodic job once per period, however many schedulers run. Instead of electing a leader (which
 * has to be handed over, and fires twice or never around a hand-over), each scheduler tries to take a lease
 * named after the job *and the period*; the store lets exactly one take it, and that one enqueues the job.
 * The lease outlives the period, so a restarted scheduler does not fire a period again.
 */
export class Scheduler {
  readonly owner = `scheduler-${randomUUID()}`;
  #opts: SchedulerOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #fired = new Map<string, number>();

  constructor(options: SchedulerOptions) {
    this.#opts = options;
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#running ??= this.tick()
        .catch((err) => this.#opts.log.error({ err }, "scheduler tick failed"))
        .finally(() => (this.#running = null));
    };
    tick();
    this.#timer = setInterval(tick, this.#opts.tickMs ?? 1_000);
  }

  /** Looks at every job once: fires those whose current period nobody has fired yet. */
  async tick(): Promise<void> {
    const now = this.#opts.clock.now();
    for (const p of this.#opts.jobs) {
      const start = periodStart(p.schedule, now);
      if (this.#fired.get(p.job.name) === start) continue;
      const period = new Date(start).toISOString();
      const key = `periodic:${p.job.name}:${period}`;
      const ttl = periodLength(p.schedule, start) + 60_000;
      if (await this.#opts.leases.acquire(key, this.owner, ttl)) {
        await this.#opts.queue.enqueue([jobRequest(p.job, { period }, { dedupKey: key })]);
        this.#opts.log.info({ job: p.job.name, period }, "periodic job fired");
      }
      this.#fired.set(p.job.name, start);
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
