import { z } from "zod";
import { fetchRemoteMediaJob, fetchRemoteProfileImageJob, removeRemoteMediaCacheJobName } from "../services/media/remote-media-jobs.ts";
import { DAY_MS, fetchRemoteMedia, fetchRemoteProfileImage, removeRemoteMediaCache, type RemoteMediaDeps } from "../services/media/remote-media.ts";
import { defineJob } from "./define-job.ts";
import type { JobDeps } from "./deps.ts";
import { mediaDeps } from "./media.ts";

/** The remote media cache's dependencies from a worker's; throws where the process has no outgoing client. */
export function remoteMediaDeps(deps: JobDeps): RemoteMediaDeps {
  if (!deps.http) throw new Error("this worker has no outgoing HTTP client (JobDeps.http) for remote media");
  return { ...mediaDeps(deps), http: deps.http, instance: deps.instance };
}

/** Fetches a remote attachment into the cache; permanent refusals are recorded on the row, so the job succeeds. */
export const fetchRemoteMediaHandler = defineJob({
  ...fetchRemoteMediaJob,
  async run(deps, { mediaId }) {
    await fetchRemoteMedia(remoteMediaDeps(deps), BigInt(mediaId));
  },
});

/** Fetches a remote account's avatar or header into the cache. */
export const fetchRemoteProfileImageHandler = defineJob({
  ...fetchRemoteProfileImageJob,
  async run(deps, { accountId, which }) {
    await fetchRemoteProfileImage(remoteMediaDeps(deps), BigInt(accountId), which);
  },
});

/**
 * Removes cached files of remote media unused for MEDIA_CACHE_RETENTION_PERIOD days (rows stay, so a view fetches
 * them again); does nothing when the period is not set, as Mastodon.
 */
export const removeRemoteMediaCacheHandler = defineJob({
  name: removeRemoteMediaCacheJobName,
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 60_000 },
  async run(deps) {
    const days = deps.instance.mediaCacheRetentionDays;
    if (!days) return;
    const { removed, bytes } = await removeRemoteMediaCache(mediaDeps(deps), { olderThanMs: days * DAY_MS });
    if (removed > 0) deps.log.info({ removed, bytes, days }, "cached remote media removed");
  },
});
