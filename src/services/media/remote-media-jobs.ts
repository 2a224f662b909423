import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

const id = z.string().regex(/^\d{1,20}$/);

/**
 * Fetches a remote attachment into the cache (on the pull queue, as Mastodon's fetches of remote resources).
 * Refusals (forbidden address, too large, gone) are recorded, not retried; timeouts and server errors retry.
 */
export const fetchRemoteMediaJob: JobContract<{ mediaId: string }> = {
  name: "fetch-remote-media",
  queue: "pull",
  payload: z.object({ mediaId: id }),
  retry: { attempts: 5, backoffMs: 60_000 },
};

/** Fetches a remote account's avatar or header into the cache. */
export const fetchRemoteProfileImageJob: JobContract<{ accountId: string; which: "avatar" | "header" }> = {
  name: "fetch-remote-profile-image",
  queue: "pull",
  payload: z.object({ accountId: id, which: z.enum(["avatar", "header"]) }),
  retry: { attempts: 5, backoffMs: 60_000 },
};

/** Removes cached remote media not used within MEDIA_CACHE_RETENTION_PERIOD (the rows stay). */
export const removeRemoteMediaCacheJobName = "remove-remote-media-cache";
