import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/**
 * Brings one status's entry in the full-text index up to date: indexes it (again) when it exists, removes it
 * when it is deleted or gone. Enqueue it in the transaction that posts, edits or deletes the status.
 */
export const indexStatusJob: JobContract<{ statusId: string }> = {
  name: "index-status-search",
  queue: "pull",
  payload: z.object({ statusId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 8, backoffMs: 1_000 },
};
