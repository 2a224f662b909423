import client from "prom-client";
import type { PoolStats } from "../ports/database.ts";
import type { JobEnvelope, JobObserver, QueueCounts, QueueName } from "../ports/job-queue.ts";
import { QUEUE_NAMES } from "../ports/job-queue.ts";

export interface MetricsSources {
  readonly role: string;
  readonly poolStats: () => PoolStats;
  /** Queue depths are read from the backend on scrape, at most once per `queueCountsTtlMs`. */
  readonly queueCounts?: (queue: QueueName) => Promise<QueueCounts>;
  readonly queueCountsTtlMs?: number;
  /** Domains the delivery circuit breaker stopped delivering to, read on scrape (cached like queue depths). */
  readonly unavailableDomains?: () => Promise<number>;
}

/**
 * Prometheus metrics for one process: a registry of its own (so tests can build several apps in one process),
 * with process metrics, HTTP, jobs, queue depth and the database pool.
 */
export class HerdMetrics {
  readonly registry = new client.Registry();
  readonly httpRequests: client.Counter<"method" | "route" | "status">;
  readonly httpDuration: client.Histogram<"method" | "route" | "status">;
  readonly jobs: client.Counter<"queue" | "name" | "outcome">;
  readonly jobDuration: client.Histogram<"queue" | "name">;
  readonly jobLatency: client.Histogram<"queue">;
  readonly deliveries: client.Counter<"outcome">;

  constructor(sources: MetricsSources) {
    this.registry.setDefaultLabels({ role: sources.role });
    client.collectDefaultMetrics({ register: this.registry, prefix: "herd_" });
    this.httpRequests = new client.Counter({
      name: "herd_http_requests_total",
      help: "HTTP requests by route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [this.registry],
    });
    this.httpDuration = new client.Histogram({
      name: "herd_http_request_duration_seconds",
      help: "HTTP request latency by route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.jobs = new client.Counter({
      name: "herd_jobs_total",
      help: "Jobs run, by queue, job name and outcome (completed, retry, dead)",
      labelNames: ["queue", "name", "outcome"],
      registers: [this.registry],
    });
    this.jobDuration = new client.Histogram({
      name: "herd_job_duration_seconds",
      help: "Time a job's handler ran",
      labelNames: ["queue", "name"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.jobLatency = new client.Histogram({
      name: "herd_job_latency_seconds",
      help: "Time from a job becoming due to a worker starting it",
      labelNames: ["queue"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });

    this.deliveries = new client.Counter({
      name: "herd_deliveries_total",
      help: "ActivityPub delivery attempts by outcome (delivered, gone, rejected, retry, failed, unavailable, refused, no_signer)",
      labelNames: ["outcome"],
      registers: [this.registry],
    });
    const unavailable = sources.unavailableDomains;
    if (unavailable) {
      const ttl = sources.queueCountsTtlMs ?? 5_000;
      let cached: { at: number; value: number } | null = null;
      new client.Gauge({
        name: "herd_delivery_unavailable_domains",
        help: "Domains deliveries are stopped for after failing on 7 distinct days (herd admin domains list --unavailable)",
        registers: [this.registry],
        async collect() {
          if (!cached || Date.now() - cached.at > ttl) cached = { at: Date.now(), value: await unavailable() };
          this.set(cached.value);
        },
      });
    }

    const pool = sources.poolStats;
    new client.Gauge({
      name: "herd_db_pool_connections",
      help: "Database pool connections by state (in_use, total, waiting)",
      labelNames: ["state"],
      registers: [this.registry],
      collect() {
        const s = pool();
        this.set({ state: "in_use" }, s.inUse);
        this.set({ state: "total" }, s.total);
        this.set({ state: "waiting" }, s.waiting);
      },
    });

    const counts = sources.queueCounts;
    if (counts) {
      const ttl = sources.queueCountsTtlMs ?? 5_000;
      let cached: { at: number; values: Map<QueueName, QueueCounts> } | null = null;
      new client.Gauge({
        name: "herd_queue_jobs",
        help: "Jobs per queue by state (waiting, delayed, active, dead)",
        labelNames: ["queue", "state"],
        registers: [this.registry],
        async collect() {
          if (!cached || Date.now() - cached.at > ttl) {
            const values = new Map<QueueName, QueueCounts>();
            for (const q of QUEUE_NAMES) values.set(q, await counts(q));
            cached = { at: Date.now(), values };
          }
          for (const [queue, c] of cached.values)
            for (const state of ["waiting", "delayed", "active", "dead"] as const) this.set({ queue, state }, c[state]);
        },
      });
    }
  }

  /** Feeds job outcomes into the counters and histograms. */
  jobObserver(): JobObserver {
    return {
      started: (job: JobEnvelope, waitedMs: number) => this.jobLatency.observe({ queue: job.queue }, waitedMs / 1000),
      finished: (job: JobEnvelope, durationMs: number, outcome) => {
        this.jobs.inc({ queue: job.queue, name: job.name, outcome });
        this.jobDuration.observe({ queue: job.queue, name: job.name }, durationMs / 1000);
      },
    };
  }

  /** Counts delivery outcomes (JobDeps.deliveries). */
  deliveryObserver(): { delivered(outcome: string, attempt: number): void } {
    return { delivered: (outcome) => this.deliveries.inc({ outcome }) };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
