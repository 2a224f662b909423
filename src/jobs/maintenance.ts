import { z } from "zod";
import { defineJob } from "./define-job.ts";

/**
 * Deletes expired leases. Each scheduler period leaves a lease behind; the database lease store would grow by
 * one row per periodic job per period without this (Redis expires them by itself).
 */
export const cleanupLeases = defineJob({
  name: "cleanup-leases",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 10_000 },
  async run(deps) {
    const removed = await deps.leases.purgeExpired();
    if (removed > 0) deps.log.debug({ removed }, "expired leases removed");
  },
});

/** Routine engine maintenance (SQLite: refresh planner statistics, trim the WAL file). */
export const databaseMaintenance = defineJob({
  name: "database-maintenance",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 60_000 },
  async run(deps) {
    await deps.db.maintain();
  },
});
