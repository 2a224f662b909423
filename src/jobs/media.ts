import { z } from "zod";
import type { MediaDeps } from "../services/media/deps.ts";
import { removeUnattachedMedia } from "../services/media/manage-media.ts";
import { processMediaJob } from "../services/media/media-jobs.ts";
import { processQueuedMedia } from "../services/media/process-media.ts";
import { defineJob } from "./define-job.ts";
import type { JobDeps } from "./deps.ts";

/** Media services' dependencies from a worker's. */
export function mediaDeps(deps: JobDeps): MediaDeps {
  return { db: deps.db, media: deps.media, images: deps.images, video: deps.video, clock: deps.clock, limits: deps.instance.mediaLimits, log: deps.log };
}

/** Processes an upload accepted with 202; a file ffmpeg refuses is recorded as failed, so the job still succeeds. */
export const processMediaHandler = defineJob({
  ...processMediaJob,
  async run(deps, { mediaId }) {
    await processQueuedMedia(mediaDeps(deps), BigInt(mediaId));
  },
});

/** Removes uploads that no status used within a day, with their files (Mastodon's media cleanup). */
export const removeUnattachedMediaHandler = defineJob({
  name: "remove-unattached-media",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 60_000 },
  async run(deps) {
    const { removed, bytes } = await removeUnattachedMedia(mediaDeps(deps));
    if (removed > 0) deps.log.info({ removed, bytes }, "unattached media removed");
  },
});
