import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/**
 * Puts a public status into the home feeds of the accounts that follow one of its tags, or, once the status is
 * deleted, takes it out of them again. Enqueue it when a tagged public status is posted and when it is deleted.
 */
export const tagFollowerFeedsJob: JobContract<{ statusId: string }> = {
  name: "tag-follower-feeds",
  queue: "default",
  payload: z.object({ statusId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 8, backoffMs: 1_000 },
};
