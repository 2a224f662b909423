import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/**
 * Processes an upload that POST /api/v2/media accepted with 202 (video, gifv, audio). Few attempts: a file that
 * ffmpeg refuses is recorded as failed at once; only infrastructure errors (the media store down) retry.
 */
export const processMediaJob: JobContract<{ mediaId: string }> = {
  name: "process-media",
  queue: "default",
  payload: z.object({ mediaId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 3, backoffMs: 30_000 },
};
