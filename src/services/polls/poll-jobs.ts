import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/**
 * Ends one poll at its time: marks it ended and notifies its author and local voters, once. Enqueued with a
 * delay in the transaction that creates (or re-times) the poll; the periodic sweep ends any it misses.
 */
export const endPollJob: JobContract<{ pollId: string }> = {
  name: "end-poll",
  queue: "default",
  payload: z.object({ pollId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 8, backoffMs: 5_000 },
};
