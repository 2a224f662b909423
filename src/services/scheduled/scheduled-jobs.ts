import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/**
 * Publishes one scheduled status at its time. Enqueued with a delay in the transaction that schedules (or
 * re-times) it; a job whose row was re-timed later or is gone does nothing, and the periodic sweep publishes
 * any it misses.
 */
export const publishScheduledStatusJob: JobContract<{ scheduledStatusId: string }> = {
  name: "publish-scheduled-status",
  queue: "default",
  payload: z.object({ scheduledStatusId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 8, backoffMs: 5_000 },
};
