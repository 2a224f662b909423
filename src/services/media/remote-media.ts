import { imageGeometry, sniffMedia } from "../../domain/media.ts";
import { domainPolicy, type DomainPolicyDeps } from "../federation/domain-policy.ts";
import { OutgoingRequestError, type HttpClient } from "../../ports/http-client.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { MediaMeta, MediaRecord } from "../../ports/repositories/media.ts";
import type { ProfileImage } from "../../ports/repositories/remote-media.ts";
import { deleteStoredFiles, PROFILE_IMAGE_MAX_BYTES, storeProfileImage } from "../accounts/profile-images.ts";
import type { MediaDeps } from "./deps.ts";
import { deleteFiles, mediaFileKey, uploadKey } from "./media-files.ts";
import { processQueuedMedia } from "./process-media.ts";
import { fetchRemoteMediaJob, fetchRemoteProfileImageJob } from "./remote-media-jobs.ts";

/** What the remote media cache uses: the media services' dependencies and the guarded outgoing client. */
export interface RemoteMediaDeps extends MediaDeps {
  readonly http: HttpClient;
  /** For the domain policy: media of domains blocked with --reject-media is not fetched. */
  readonly instance?: DomainPolicyDeps["instance"];
}

/** Whether the owner's domain is blocked with reject_media (Mastodon then keeps only the remote links). */
async function mediaRejected(deps: Pick<RemoteMediaDeps, "db" | "clock" | "instance">, accountId: bigint): Promise<boolean> {
  if (!deps.instance) return false;
  const owner = await deps.db.repos.accounts.findById(accountId);
  if (!owner || owner.domain === null) return false;
  return (await domainPolicy({ db: deps.db, clock: deps.clock, instance: deps.instance }, owner.domain)).rejectMedia;
}

/** How one fetch into the cache ended. */
export type RemoteFetchOutcome =
  | { readonly outcome: "cached"; readonly bytes: number }
  /** Nothing to do: not a remote row, gone, or cached already (a repeated job). */
  | { readonly outcome: "skipped" }
  /** Refused for good (forbidden address, too large, gone at the origin, not a usable file): recorded, not retried. */
  | { readonly outcome: "refused"; readonly reason: string };

/** Days to milliseconds, for MEDIA_CACHE_RETENTION_PERIOD. */
export const DAY_MS = 86_400_000;

/** Viewing a cached item records its use at most this often, so busy timelines do not write on every read. */
const TOUCH_EVERY_MS = 3_600_000;

/** Reasons of the HTTP client that no retry can fix. */
const PERMANENT: ReadonlySet<string> = new Set(["forbidden_address", "bad_url", "too_large", "too_many_redirects"]);

/**
 * Downloads `url` through the guarded client (SSRF rules, timeouts and the size limit are the client's).
 * Returns the bytes, or a permanent refusal; throws on what a retry may fix (timeouts, network, 5xx, 429).
 */
async function download(http: HttpClient, url: string, maxBytes: number): Promise<{ bytes: Buffer } | { refused: string }> {
  let response: Response;
  try {
    response = await http.request(url, { maxBytes, headers: { accept: "image/*, video/*, audio/*, */*;q=0.1" } });
  } catch (error) {
    if (error instanceof OutgoingRequestError && PERMANENT.has(error.reason)) return { refused: `${error.reason}: ${error.message}` };
    throw error;
  }
  if (response.status >= 500 || response.status === 429) throw new Error(`${url} answered ${response.status}`);
  if (!response.ok) return { refused: `the origin answered ${response.status}` };
  return { bytes: Buffer.from(await response.arrayBuffer()) };
}

/**
 * Fills the cache of a remote attachment (a media_attachments row with remote_url): downloads the file and
 * processes it as an upload — images upright with metadata stripped, the original within the pixel limit, the
 * small preview and the blurhash; audio, video and gifv through ffmpeg as local uploads are — then stores it and
 * records the time as its last use. A refusal is recorded on the row (processing "failed"), which keeps its
 * remote_url, so clients still get the origin's file; a later view may try again.
 */
export async function fetchRemoteMedia(deps: RemoteMediaDeps, mediaId: bigint): Promise<RemoteFetchOutcome> {
  const row = await deps.db.repos.remoteMedia.findById(mediaId);
  if (!row || row.fileKey) return { outcome: "skipped" };
  // Fetched before, and the processing did not finish (a worker stopped): carry on from the stored file.
  if (row.uploadKey) return processedOutcome(await processQueuedMedia(deps, mediaId));
  const media = await deps.db.repos.media.findById(mediaId);
  if (!media) return { outcome: "skipped" };
  if (await mediaRejected(deps, row.accountId)) return refuse(deps, media, "media from this domain is rejected (domain block with reject_media)");
  const limits = deps.limits;
  const maxBytes = row.type === "image" ? limits.imageSizeLimit : limits.videoSizeLimit;
  const got = await download(deps.http, row.remoteUrl, maxBytes);
  if ("refused" in got) return refuse(deps, media, got.refused);
  const bytes = got.bytes;
  const sniffed = sniffMedia(bytes);
  if (!sniffed) return refuse(deps, media, "not a supported media file");

  if (sniffed.family === "image") {
    const info = await deps.images.inspect(bytes);
    if (!info) return refuse(deps, media, "not a readable image");
    if (info.width * info.height > limits.imageMatrixLimit) return refuse(deps, media, `${info.width}x${info.height} images are not supported`);
    if (info.format !== "gif" || info.pages <= 1) return cacheImage(deps, media, bytes);
  } else if (bytes.length > limits.videoSizeLimit) {
    return refuse(deps, media, "too large");
  }
  // Audio, video and animated GIFs: handed to the upload processing (ffmpeg), as a queued upload of this row.
  const key = uploadKey(media.id);
  await deps.media.put(key, bytes, { contentType: "application/octet-stream", cacheControl: "private, no-store" });
  if (!(await deps.db.repos.remoteMedia.queueForProcessing(media.id, key, deps.clock.now()))) {
    await deleteFiles(deps.media, [key]);
    return { outcome: "skipped" };
  }
  return processedOutcome(await processQueuedMedia(deps, media.id));
}

function processedOutcome(processed: Awaited<ReturnType<typeof processQueuedMedia>>): RemoteFetchOutcome {
  if (processed.outcome === "complete") return { outcome: "cached", bytes: processed.media.fileSize ?? 0 };
  if (processed.outcome === "failed") return { outcome: "refused", reason: processed.message };
  return { outcome: "skipped" };
}

async function cacheImage(deps: RemoteMediaDeps, media: MediaRecord, bytes: Buffer): Promise<RemoteFetchOutcome> {
  const limits = deps.limits;
  const images = await deps.images.attachmentImages(bytes, { originalPixels: limits.imageOriginalPixels, smallPixels: limits.previewPixels, maxInputPixels: limits.imageMatrixLimit });
  if ("problem" in images) return refuse(deps, media, `image ${images.problem}`);
  const fileKey = mediaFileKey(media.id, "original", images.original.extension);
  const smallKey = mediaFileKey(media.id, "small", images.small.extension);
  await Promise.all([
    deps.media.put(fileKey, images.original.data, { contentType: images.original.contentType }),
    deps.media.put(smallKey, images.small.data, { contentType: images.small.contentType }),
  ]);
  // The origin's description and focus stay; the geometry is what was stored here.
  const meta: MediaMeta = {
    ...media.meta,
    original: imageGeometry(images.original.width, images.original.height),
    small: imageGeometry(images.small.width, images.small.height),
  };
  const cached = await deps.db.repos.remoteMedia.cacheImage(
    media.id,
    { fileKey, fileContentType: images.original.contentType, fileSize: images.original.data.length, smallKey, meta, blurhash: images.blurhash ?? media.blurhash },
    deps.clock.now(),
  );
  if (!cached) {
    await deleteFiles(deps.media, [fileKey, smallKey]);
    return { outcome: "skipped" };
  }
  return { outcome: "cached", bytes: images.original.data.length };
}

async function refuse(deps: RemoteMediaDeps, media: MediaRecord, reason: string): Promise<RemoteFetchOutcome> {
  deps.log.info({ mediaId: String(media.id), reason }, "remote media not cached");
  await deps.db.repos.media.updateProcessing(media.id, { processing: "failed", processingError: reason }, deps.clock.now(), ["queued", "failed"]);
  return { outcome: "refused", reason };
}

/**
 * Fills the cache of a remote account's avatar or header from the URL federation recorded
 * (RemoteMediaRepository.setProfileUrls), cropped as local ones are (400×400, 1500×500), metadata stripped.
 * A URL the origin or the guard refuses leaves the picture empty (the default one is shown).
 */
export async function fetchRemoteProfileImage(deps: Omit<RemoteMediaDeps, "video">, accountId: bigint, which: ProfileImage): Promise<RemoteFetchOutcome> {
  const profile = await deps.db.repos.remoteMedia.findProfile(accountId);
  const url = which === "avatar" ? profile?.avatarRemoteUrl : profile?.headerRemoteUrl;
  if (!profile || !url) return { outcome: "skipped" };
  if (await mediaRejected(deps, accountId)) return { outcome: "refused", reason: "media from this domain is rejected (domain block with reject_media)" };
  const got = await download(deps.http, url, PROFILE_IMAGE_MAX_BYTES);
  if ("refused" in got) {
    deps.log.info({ accountId: String(accountId), which, reason: got.refused }, "remote profile image not cached");
    return { outcome: "refused", reason: got.refused };
  }
  const stored = await storeProfileImage(deps, accountId, which, got.bytes);
  if ("problem" in stored) return { outcome: "refused", reason: stored.problem };
  const old = which === "avatar" ? profile.avatarKey : profile.headerKey;
  await deps.db.repos.remoteMedia.setProfileImage(accountId, which, stored.key, deps.clock.now());
  await deleteStoredFiles(deps.media, [old]);
  return { outcome: "cached", bytes: got.bytes.length };
}

/**
 * Called when remote attachments are shown (the media proxy, or a rendering that notices them): an item not in
 * the cache is queued for fetching once (deduplicated while it waits), a cached one has its use recorded (at
 * most hourly), so the retention cleanup keeps what people look at.
 */
export async function remoteMediaViewed(deps: Pick<MediaDeps, "db" | "clock">, media: readonly MediaRecord[]): Promise<void> {
  const now = deps.clock.now();
  const remote = media.filter((m) => m.remoteUrl);
  // A refused fetch is tried again on a view only after a day: a dead origin is not asked on every read.
  const missing = remote.filter((m) => !m.fileKey && m.processing !== "in_progress" && !(m.processing === "failed" && m.updatedAt > now - DAY_MS));
  const stale = remote.filter((m) => m.fileKey && (m.lastUsedAt ?? 0) < now - TOUCH_EVERY_MS);
  if (stale.length > 0) await deps.db.repos.remoteMedia.touch(stale.map((m) => m.id), now);
  if (missing.length > 0)
    await deps.db.transaction(async (tx) => {
      await tx.enqueue(missing.map((m) => jobRequest(fetchRemoteMediaJob, { mediaId: String(m.id) }, { dedupKey: `fetch-remote-media:${m.id}` })));
    });
}

/** Queues the fetch of a remote account's avatar and header (federation calls it after setProfileUrls). */
export async function requestRemoteProfileImages(deps: Pick<MediaDeps, "db">, accountId: bigint): Promise<void> {
  const profile = await deps.db.repos.remoteMedia.findProfile(accountId);
  if (!profile) return;
  const which = (["avatar", "header"] as const).filter((w) => (w === "avatar" ? profile.avatarRemoteUrl : profile.headerRemoteUrl));
  if (which.length === 0) return;
  await deps.db.transaction(async (tx) => {
    await tx.enqueue(which.map((w) => jobRequest(fetchRemoteProfileImageJob, { accountId: String(accountId), which: w }, { dedupKey: `fetch-remote-profile-image:${accountId}:${w}` })));
  });
}

/** What a cleanup removed (or, in a dry run, would remove). */
export interface RemovedCache {
  readonly removed: number;
  readonly bytes: number;
}

/**
 * Removes the cached files of remote attachments not used (fetched or viewed) for `olderThanMs`, keeping the rows,
 * as Mastodon's media cache vacuum; a later view fetches them again. `dryRun` only counts.
 */
export async function removeRemoteMediaCache(
  deps: Pick<MediaDeps, "db" | "media" | "clock">,
  options: { olderThanMs: number; dryRun?: boolean; batch?: number },
): Promise<RemovedCache> {
  const before = deps.clock.now() - options.olderThanMs;
  const batch = options.batch ?? 100;
  let removed = 0;
  let bytes = 0;
  let afterId: bigint | undefined;
  for (;;) {
    const rows = await deps.db.repos.remoteMedia.cachedNotUsedSince(before, batch, afterId);
    for (const m of rows) {
      afterId = m.id;
      if (!options.dryRun) {
        if (!(await deps.db.repos.remoteMedia.uncache(m.id, m.fileKey))) continue;
        await deleteFiles(deps.media, [m.fileKey, m.smallKey, m.uploadKey].filter((k): k is string => !!k));
      }
      removed++;
      bytes += m.fileSize ?? 0;
    }
    if (rows.length < batch) break;
  }
  return { removed, bytes };
}

/**
 * Removes cached avatars and headers of remote accounts not used for `olderThanMs` (tootctl's --prune-profiles);
 * the origin URLs stay, so the account's pictures are fetched again when it is next seen. `dryRun` only counts.
 */
export async function pruneRemoteProfileImages(
  deps: Pick<MediaDeps, "db" | "media" | "clock">,
  options: { olderThanMs: number; dryRun?: boolean; batch?: number },
): Promise<RemovedCache> {
  const now = deps.clock.now();
  const before = now - options.olderThanMs;
  const batch = options.batch ?? 100;
  let removed = 0;
  let afterId: bigint | undefined;
  for (;;) {
    const rows = await deps.db.repos.remoteMedia.cachedProfilesNotUsedSince(before, batch, afterId);
    for (const p of rows) {
      afterId = p.accountId;
      const keys = [p.avatarKey, p.headerKey].filter((k): k is string => !!k);
      if (!options.dryRun) {
        if (p.avatarKey) await deps.db.repos.remoteMedia.setProfileImage(p.accountId, "avatar", null, p.usedAt ?? now);
        if (p.headerKey) await deps.db.repos.remoteMedia.setProfileImage(p.accountId, "header", null, p.usedAt ?? now);
        await deleteStoredFiles(deps.media, keys);
      }
      removed += keys.length;
    }
    if (rows.length < batch) break;
  }
  return { removed, bytes: 0 };
}
