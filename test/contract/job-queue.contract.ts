import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import type { JobEnvelope, JobQueue, JobRequest, QueueCounts, QueueName, RunningWorker } from "../../src/ports/job-queue.ts";

/** One adapter under test, on a fresh backend. */
export interface QueueHarness {
  readonly queue: JobQueue;
  readonly db: KyselyDatabase;
  /** Another instance on the same backend with connections of its own, as a second process would open it. */
  peer(): Promise<{ queue: JobQueue; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Lock duration; tests of lost workers use a short one. */
  readonly lockMs: number;
}

/** Polls an async condition; fails with `what` after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

const job = (name: string, payload: unknown, more: Partial<JobRequest> = {}): JobRequest => ({
  name,
  queue: "default",
  payload,
  ...more,
});

const empty: QueueCounts = { waiting: 0, delayed: 0, active: 0, dead: 0 };

/** Runs `fn` with a harness and closes everything it opened, workers first, whatever happens. */
async function withQueue(
  make: (o: HarnessOptions) => Promise<QueueHarness>,
  options: HarnessOptions,
  fn: (h: QueueHarness, track: (w: RunningWorker) => RunningWorker) => Promise<void>,
): Promise<void> {
  const h = await make(options);
  const workers: RunningWorker[] = [];
  try {
    await fn(h, (w) => (workers.push(w), w));
  } finally {
    await Promise.all(workers.map((w) => w.close(200)));
    await h.close();
  }
}

/**
 * The JobQueue contract: every adapter must pass it. Timings are generous lower bounds (a delay is never cut
 * short) and loose upper bounds, so the suite holds on a slow machine.
 */
export function jobQueueContract(
  name: string,
  make: (options: HarnessOptions) => Promise<QueueHarness>,
  skip: string | false = false,
): void {
  const normal = { lockMs: 5_000 };

  describe(`JobQueue contract: ${name}`, { skip }, () => {
    it("runs a job enqueued in a committed transaction once, with its payload", () =>
      withQueue(make, normal, async ({ queue, db }, track) => {
        const seen: JobEnvelope[] = [];
        await db.transaction((tx) => tx.enqueue([job("hello", { id: "42", list: [1, 2] }, { maxAttempts: 4 })]));
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 2, handler: async (j) => void seen.push(j) }));
        await until(() => seen.length === 1, "the job to run");
        await sleep(300);
        assert.equal(seen.length, 1);
        assert.equal(seen[0].name, "hello");
        assert.equal(seen[0].queue, "default");
        assert.deepEqual(seen[0].payload, { id: "42", list: [1, 2] });
        assert.equal(seen[0].attempt, 1);
        assert.equal(seen[0].maxAttempts, 4);
        assert.equal(seen[0].redelivered, false);
        assert.match(seen[0].id, /^\d+$/);
        await until(async () => deepEqualCounts(await queue.counts("default"), empty), "the queue to empty");
      }));

    it("never runs a job whose transaction rolled back", () =>
      withQueue(make, normal, async ({ queue, db }, track) => {
        const seen: string[] = [];
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.enqueue([job("ghost", {})]);
            throw new Error("rollback");
          }),
          /rollback/,
        );
        await queue.enqueue([job("marker", {})]);
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 1, handler: async (j) => void seen.push(j.name) }));
        await until(() => seen.includes("marker"), "the marker job");
        await sleep(300);
        assert.deepEqual(seen, ["marker"]);
      }));

    it("does not run a delayed job before its time, and runs it after", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        const ranAt: number[] = [];
        const enqueuedAt = Date.now();
        await queue.enqueue([job("later", {}, { delayMs: 1_200 })]);
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 1, handler: async () => void ranAt.push(Date.now()) }));
        await sleep(700);
        assert.equal(ranAt.length, 0, "ran before its delay");
        const c = await queue.counts("default");
        assert.equal(c.delayed, 1);
        assert.equal(c.waiting, 0);
        await until(() => ranAt.length === 1, "the delayed job", 6_000);
        assert.ok(ranAt[0] - enqueuedAt >= 1_150, `ran after ${ranAt[0] - enqueuedAt} ms`);
      }));

    it("retries a failing job with backoff, then keeps it in the dead set, from where it can be retried or cleared", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        const attempts: { attempt: number; at: number; name: string; redelivered: boolean }[] = [];
        let healthy = false;
        await queue.enqueue([job("flaky", { n: 1 }, { maxAttempts: 3, backoffMs: 200 })]);
        track(
          queue.work({
            queues: [{ queue: "default", weight: 1 }],
            concurrency: 1,
            handler: async (j) => {
              attempts.push({ attempt: j.attempt, at: Date.now(), name: j.name, redelivered: j.redelivered });
              if (!healthy) throw new Error(`boom ${j.name}`);
            },
          }),
        );
        await until(async () => (await queue.counts("default")).dead === 1, "the job to die");
        assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3]);
        assert.deepEqual(attempts.map((a) => a.redelivered), [false, true, true]);
        // Exponential with jitter on the upper half: ≥ base/2 after the first failure, ≥ base after the second.
        assert.ok(attempts[1].at - attempts[0].at >= 90, `first backoff ${attempts[1].at - attempts[0].at} ms`);
        assert.ok(attempts[2].at - attempts[1].at >= 190, `second backoff ${attempts[2].at - attempts[1].at} ms`);

        const dead = await queue.listDead("default", 10);
        assert.equal(dead.length, 1);
        assert.equal(dead[0].name, "flaky");
        assert.equal(dead[0].queue, "default");
        assert.deepEqual(dead[0].payload, { n: 1 });
        assert.equal(dead[0].attempts, 3);
        assert.match(dead[0].error, /boom flaky/);
        assert.ok(Math.abs(dead[0].failedAt - Date.now()) < 10_000);
        assert.deepEqual(await queue.counts("default"), { ...empty, dead: 1 });

        healthy = true;
        assert.equal(await queue.retryDead("default", [dead[0].id]), 1);
        await until(() => attempts.length === 4, "the retried job to run");
        assert.equal(attempts[3].attempt, 1, "a retried dead job starts with fresh attempts");
        await until(async () => deepEqualCounts(await queue.counts("default"), empty), "the queue to empty");

        healthy = false;
        await queue.enqueue([job("doomed-a", {}, { maxAttempts: 1 }), job("doomed-b", {}, { maxAttempts: 1 })]);
        await until(async () => (await queue.counts("default")).dead === 2, "two more dead jobs");
        const [first] = await queue.listDead("default", 1);
        assert.equal(await queue.clearDead("default", [first.id]), 1);
        assert.equal((await queue.listDead("default", 10)).length, 1);
        assert.equal(await queue.clearDead("default"), 1);
        assert.deepEqual(await queue.listDead("default", 10), []);
        assert.equal(await queue.retryDead("default"), 0);
        assert.equal((await queue.counts("default")).dead, 0);
      }));

    it("sends a job that fails permanently to the dead set without retrying", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        let runs = 0;
        await queue.enqueue([job("poison", { n: 2 }, { maxAttempts: 5, backoffMs: 50 })]);
        track(
          queue.work({
            queues: [{ queue: "default", weight: 1 }],
            concurrency: 1,
            handler: async () => {
              runs++;
              throw Object.assign(new Error("payload of poison is invalid"), { permanent: true });
            },
          }),
        );
        await until(async () => (await queue.counts("default")).dead === 1, "the job to die");
        await sleep(300);
        assert.equal(runs, 1, "no retries after a permanent failure");
        const [dead] = await queue.listDead("default", 1);
        assert.match(dead.error, /payload of poison is invalid/);
      }));

    it("keeps one waiting job per dedup key", () =>
      withQueue(make, normal, async ({ queue, db }, track) => {
        const seen: unknown[] = [];
        await queue.enqueue([job("refresh", { v: 1 }, { dedupKey: "refresh:1" })]);
        await db.transaction((tx) => tx.enqueue([job("refresh", { v: 2 }, { dedupKey: "refresh:1" })]));
        await queue.enqueue([job("refresh", { v: 3 }, { dedupKey: "refresh:2" })]);
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 2, handler: async (j) => void seen.push(j.payload) }));
        await until(() => seen.length >= 2, "both keys to run");
        await sleep(400);
        assert.equal(seen.length, 2);
        assert.deepEqual(seen.map((p) => (p as { v: number }).v).sort(), [1, 3]);
      }));

    it("shares work between queues by weight", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        const order: QueueName[] = [];
        const jobs: JobRequest[] = [];
        for (let i = 0; i < 60; i++) jobs.push(job("w", { i }), job("w", { i }, { queue: "pull" }));
        await queue.enqueue(jobs);
        await until(async () => (await queue.counts("default")).waiting === 60 && (await queue.counts("pull")).waiting === 60, "jobs to wait");
        track(
          queue.work({
            queues: [{ queue: "default", weight: 3 }, { queue: "pull", weight: 1 }],
            concurrency: 4,
            handler: async (j) => {
              order.push(j.queue);
              await sleep(15);
            },
          }),
        );
        await until(() => order.length >= 40, "40 jobs to start");
        const first = order.slice(0, 40);
        const heavy = first.filter((q) => q === "default").length;
        const light = first.length - heavy;
        assert.ok(light > 0, "the lighter queue is not starved");
        assert.ok(heavy >= 2 * light && heavy <= 5 * light, `default ${heavy} vs pull ${light} in the first 40`);
      }));

    it("never runs more handlers at once than its concurrency, even with more queues than slots", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        let running = 0;
        let peak = 0;
        let done = 0;
        const queues: QueueName[] = ["default", "push", "pull"];
        await queue.enqueue(Array.from({ length: 30 }, (_, i) => job("c", { i }, { queue: queues[i % 3] })));
        track(
          queue.work({
            queues: queues.map((q) => ({ queue: q, weight: 1 })),
            concurrency: 2,
            handler: async () => {
              running++;
              peak = Math.max(peak, running);
              await sleep(20);
              running--;
              done++;
            },
          }),
        );
        await until(() => done === 30, "all jobs");
        assert.ok(peak <= 2, `peak ${peak}`);
        assert.equal(peak, 2, "it does use its slots");
      }));

    it("lets one busy queue use every slot while the worker's other queues are idle", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        let running = 0;
        let peak = 0;
        let done = 0;
        await queue.enqueue(Array.from({ length: 12 }, (_, i) => job("busy", { i }, { queue: "ingress" })));
        track(
          queue.work({
            // The default weights: ingress is 2 in 11.
            queues: [{ queue: "default", weight: 4 }, { queue: "ingress", weight: 2 }, { queue: "push", weight: 2 }, { queue: "pull", weight: 1 }, { queue: "mailers", weight: 1 }, { queue: "scheduler", weight: 1 }],
            concurrency: 6,
            handler: async () => {
              running++;
              peak = Math.max(peak, running);
              await sleep(40);
              running--;
              done++;
            },
          }),
        );
        await until(() => done === 12, "all jobs");
        assert.equal(peak, 6, `peak ${peak}`);
      }));

    it("counts waiting, delayed, active and dead jobs", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        assert.deepEqual(await queue.counts("mailers"), empty);
        const m = (more: Partial<JobRequest> = {}) => job("m", {}, { queue: "mailers", ...more });
        await queue.enqueue([m(), m(), m(), m({ delayMs: 60_000 }), m({ delayMs: 60_000 })]);
        await until(async () => deepEqualCounts(await queue.counts("mailers"), { ...empty, waiting: 3, delayed: 2 }), "3 waiting, 2 delayed");
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        track(queue.work({ queues: [{ queue: "mailers", weight: 1 }], concurrency: 5, handler: () => gate }));
        await until(async () => deepEqualCounts(await queue.counts("mailers"), { ...empty, active: 3, delayed: 2 }), "3 active");
        release();
        await until(async () => deepEqualCounts(await queue.counts("mailers"), { ...empty, delayed: 2 }), "only the delayed left");
        assert.deepEqual(await queue.counts("default"), empty, "other queues are not counted");
      }));

    it("runs a job again when the worker holding it goes away without finishing it", () =>
      withQueue(make, { lockMs: 500 }, async ({ queue }, track) => {
        const firstRuns: JobEnvelope[] = [];
        const secondRuns: JobEnvelope[] = [];
        await queue.enqueue([job("stuck", { k: "v" })]);
        const lost = queue.work({
          queues: [{ queue: "default", weight: 1 }],
          concurrency: 1,
          // Never settles: the worker "dies" with the job in hand.
          handler: (j) => (firstRuns.push(j), new Promise<void>(() => {})),
        });
        await until(() => firstRuns.length === 1, "the first worker to take the job");
        const t = Date.now();
        await lost.close(50);
        assert.ok(Date.now() - t < 3_000, "close waits no longer than asked for a stuck job");
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 1, handler: async (j) => void secondRuns.push(j) }));
        await until(() => secondRuns.length === 1, "the job to run again elsewhere", 15_000);
        assert.equal(secondRuns[0].id, firstRuns[0].id);
        assert.deepEqual(secondRuns[0].payload, { k: "v" });
        // The run after a lost one is known as such, so work its first run did after a commit can be redone.
        assert.equal(firstRuns[0].redelivered, false);
        assert.equal(secondRuns[0].redelivered, true);
        await until(async () => deepEqualCounts(await queue.counts("default"), empty), "the queue to empty");
      }));

    it("keeps the lock of a job that runs longer than the lock duration while its worker lives", () =>
      withQueue(make, { lockMs: 400 }, async ({ queue }, track) => {
        const runs: string[] = [];
        let finished = 0;
        await queue.enqueue([job("slow", {})]);
        const handler = async (j: JobEnvelope) => {
          runs.push(j.id);
          await sleep(1_500);
          finished++;
        };
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 1, handler }));
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 1, handler }));
        await until(() => finished === 1, "the slow job to finish");
        await sleep(600);
        assert.equal(runs.length, 1, "the job ran again although its worker was alive");
      }));

    it("waits in close for running jobs, and claims nothing more once closing", () =>
      withQueue(make, normal, async ({ queue }, track) => {
        const started: string[] = [];
        let finished = 0;
        await queue.enqueue([job("a", {})]);
        const worker = queue.work({
          queues: [{ queue: "default", weight: 1 }],
          concurrency: 1,
          handler: async (j) => {
            started.push(j.name);
            await sleep(300);
            finished++;
          },
        });
        await until(() => started.length === 1, "the job to start");
        await worker.close(5_000);
        assert.equal(finished, 1, "close returned before the running job finished");
        await queue.enqueue([job("b", {})]);
        await sleep(400);
        assert.deepEqual(started, ["a"]);
        assert.deepEqual(await queue.counts("default"), { ...empty, waiting: 1 });
        const later: string[] = [];
        track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 1, handler: async (j) => void later.push(j.name) }));
        await until(() => later.length === 1, "the next worker to take the waiting job");
        assert.deepEqual(later, ["b"]);
      }));

    it("gives each of 500 jobs to exactly one of two workers on the same backend", () =>
      withQueue(make, normal, async ({ queue, db, peer }, track) => {
        const other = await peer();
        try {
          const runs = new Map<string, number>();
          const byWorker = [0, 0];
          for (let b = 0; b < 5; b++)
            await db.transaction((tx) => tx.enqueue(Array.from({ length: 100 }, (_, i) => job("once", { n: b * 100 + i }))));
          const handler = (w: number) => async (j: JobEnvelope) => {
            runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
            byWorker[w]++;
            if (Math.random() < 0.2) await sleep(1);
          };
          track(queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 8, handler: handler(0) }));
          track(other.queue.work({ queues: [{ queue: "default", weight: 1 }], concurrency: 8, handler: handler(1) }));
          await until(() => runs.size === 500, "all 500 jobs", 30_000);
          await until(async () => deepEqualCounts(await queue.counts("default"), empty), "the queue to empty");
          await sleep(300);
          const twice = [...runs].filter(([, n]) => n !== 1);
          assert.deepEqual(twice, [], "no job ran twice");
          assert.equal(byWorker[0] + byWorker[1], 500);
        } finally {
          await other.close();
        }
      }));
  });
}

function deepEqualCounts(a: QueueCounts, b: QueueCounts): boolean {
  return a.waiting === b.waiting && a.delayed === b.delayed && a.active === b.active && a.dead === b.dead;
}
