import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

const statusPayload = z.object({ statusId: z.string().regex(/^\d{1,20}$/) });

/**
 * Puts a new status (or boost) into the home and list feeds of everyone who should see it. Enqueue in the
 * transaction that creates the status.
 */
export const fanOutStatusJob: JobContract<{ statusId: string }> = {
  name: "fan-out-status",
  queue: "default",
  payload: statusPayload,
  retry: { attempts: 8, backoffMs: 1_000 },
};

/** Takes a deleted status (or an undone boost) out of every feed. Enqueue in the deleting transaction. */
export const removeFromFeedsJob: JobContract<{ statusId: string }> = {
  name: "remove-status-from-feeds",
  queue: "default",
  payload: statusPayload,
  retry: { attempts: 8, backoffMs: 1_000 },
};
