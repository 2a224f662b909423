import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { DatabaseLeaseStore } from "../../src/adapters/db/database-lease.ts";
import { RedisLeaseStore } from "../../src/adapters/redis/redis-lease.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { defineJob } from "../../src/jobs/define-job.ts";
import type { JobQueue, JobRequest } from "../../src/ports/job-queue.ts";
import type { LeaseStore } from "../../src/ports/lease.ts";
import { periodLength, periodStart, type PeriodicJob } from "../../src/scheduler/periodic.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { databaseEngines, SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";

describe("periods", () => {
  it("start at interval boundaries", () => {
    assert.equal(periodStart({ everyMs: 60_000 }, 125_000), 120_000);
    assert.equal(periodLength({ everyMs: 60_000 }, 120_000), 60_000);
  });
  it("start at the last cron time, counting an exact hit", () => {
    const at = Date.UTC(2026, 10, 22, 4, 17, 0);
    assert.equal(periodStart({ cron: "17 4 * * *" }, at), at);
    assert.equal(periodStart({ cron: "17 4 * * *" }, at + 3_600_000), at);
    assert.equal(periodStart({ cron: "17 4 * * *" }, at - 1), at - 86_400_000);
    assert.equal(periodLength({ cron: "17 4 * * *" }, at), 86_400_000);
  });
});

/** A queue that records what the scheduler enqueues; the scheduler needs nothing more of the port. */
function recordingQueue(into: JobRequest[]): JobQueue {
  return {
    enqueue: async (jobs) => void into.push(...jobs),
    work: () => { throw new Error("not used by the scheduler"); },
    counts: async () => ({ waiting: 0, active: 0, delayed: 0, dead: 0 }),
    listDead: async () => [],
    retryDead: async () => 0,
    clearDead: async () => 0,
    close: async () => {},
  };
}

const tick = defineJob({ name: "cleanup-leases", queue: "scheduler", payload: z.object({ period: z.string() }), async run() {} });
const periodic: PeriodicJob[] = [{ job: tick, schedule: { everyMs: 10_000 } }];

async function threeSchedulersFireOncePerPeriod(leases: LeaseStore) {
  let now = Date.UTC(2026, 10, 22, 12, 0, 3);
  const clock = { now: () => now };
  const enqueued: JobRequest[] = [];
  const schedulers = [1, 2, 3].map(() => new Scheduler({ jobs: periodic, leases, queue: recordingQueue(enqueued), clock, log: silentLogger }));
  for (let step = 0; step < 12; step++) {
    // All three look at the same moment, as they would on three nodes.
    await Promise.all(schedulers.map((s) => s.tick()));
    now += 2_500;
  }
  const periods = enqueued.map((j) => (j.payload as { period: string }).period);
  assert.equal(new Set(periods).size, periods.length, "no period fired twice");
  assert.equal(periods.length, 4, "12 ticks 2.5 s apart from :03 to :30.5 cover the periods :00, :10, :20 and :30");
  assert.ok(enqueued.every((j) => j.dedupKey?.startsWith("periodic:cleanup-leases:")));
}

describe("three schedulers at once", () => {
  for (const engine of databaseEngines) {
    it(`fire each period exactly once with leases in ${engine.name}`, { skip: engine.skip }, async () => {
      const { db, close } = await engine.open();
      try {
        await threeSchedulersFireOncePerPeriod(new DatabaseLeaseStore(db));
      } finally {
        await close();
      }
    });
  }
  it("fire each period exactly once with leases in Redis", { skip: SKIP_REDIS }, async () => {
    const r = await openTestRedis();
    try {
      await threeSchedulersFireOncePerPeriod(new RedisLeaseStore(r.redis, r.prefix));
    } finally {
      await r.close();
    }
  });
});
