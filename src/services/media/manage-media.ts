import { imageGeometry, parseFocus, UNATTACHED_MEDIA_TTL_MS } from "../../domain/media.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { MediaMeta, MediaRecord } from "../../ports/repositories/media.ts";
import type { MediaDeps, MediaError } from "./deps.ts";
import { deleteFiles, keysOf } from "./media-files.ts";
import { descriptionProblem, storeThumbnail } from "./upload-media.ts";

/**
 * One of the account's own attachments not yet attached to a status, as GET and PUT /api/v1/media/:id see
 * them (Mastodon scopes both to `status_id: nil`): anyone else's, or an attached one, is "not found".
 */
export async function findOwnUnattachedMedia(deps: Pick<MediaDeps, "db">, accountId: bigint, mediaId: bigint): Promise<MediaRecord | null> {
  const m = await deps.db.repos.media.findById(mediaId);
  return m && m.accountId === accountId && m.statusId === null ? m : null;
}

export interface UpdateMediaInput {
  readonly accountId: bigint;
  readonly mediaId: bigint;
  /** Undefined leaves it; "" clears it. */
  readonly description?: string;
  readonly focus?: string;
  readonly thumbnail?: Uint8Array;
}

/** PUT /api/v1/media/:id: description, focal point and (audio/video only) a custom thumbnail, until attached. */
export async function updateMedia(deps: MediaDeps, input: UpdateMediaInput): Promise<Result<MediaRecord, MediaError>> {
  const m = await findOwnUnattachedMedia(deps, input.accountId, input.mediaId);
  if (!m) return err({ kind: "not_found" });
  if (m.processing === "failed") return err({ kind: "processing_failed", message: m.processingError ?? "" });
  const description = input.description === undefined ? undefined : input.description === "" ? null : input.description;
  const problem = descriptionProblem(deps, description);
  if (problem) return err({ kind: "invalid", message: problem });
  const focus = parseFocus(input.focus);
  let meta: MediaMeta | undefined = focus ? { ...m.meta, focus } : undefined;
  let thumbnailKey: string | undefined;
  let blurhash: string | null | undefined;
  if (input.thumbnail) {
    if (m.type !== "video" && m.type !== "audio") return err({ kind: "invalid", message: "Validation failed: Thumbnail must be blank" });
    const stored = await storeThumbnail(deps, m.id, input.thumbnail);
    if ("problem" in stored) return err({ kind: "invalid", message: stored.problem });
    thumbnailKey = stored.key;
    blurhash = stored.blurhash;
    meta = { ...(meta ?? m.meta), small: imageGeometry(stored.width, stored.height) };
  }
  await deps.db.repos.media.updateDetails(m.id, { description, meta, thumbnailKey, blurhash }, deps.clock.now());
  if (thumbnailKey && m.thumbnailKey) await deleteFiles(deps.media, [m.thumbnailKey]);
  return ok((await deps.db.repos.media.findById(m.id)) ?? m);
}

/** DELETE /api/v1/media/:id: the account's own attachment with its files, unless a status uses it. */
export async function deleteMedia(deps: MediaDeps, accountId: bigint, mediaId: bigint): Promise<Result<null, MediaError>> {
  const m = await deps.db.repos.media.findById(mediaId);
  if (!m || m.accountId !== accountId) return err({ kind: "not_found" });
  if (m.statusId !== null) return err({ kind: "in_use" });
  if (await deps.db.repos.media.delete(m.id)) await deleteFiles(deps.media, keysOf(m));
  return ok(null);
}

/**
 * Removes attachments no status uses that were uploaded more than `olderThanMs` ago (a day by default, as
 * Mastodon's scheduler does), files first. `dryRun` only counts. Returns how many and their bytes.
 */
export async function removeUnattachedMedia(
  deps: Pick<MediaDeps, "db" | "media" | "clock">,
  options: { olderThanMs?: number; dryRun?: boolean; batch?: number } = {},
): Promise<{ removed: number; bytes: number }> {
  const before = deps.clock.now() - (options.olderThanMs ?? UNATTACHED_MEDIA_TTL_MS);
  const batch = options.batch ?? 100;
  let removed = 0;
  let bytes = 0;
  if (options.dryRun) {
    // Counting pages through everything without deleting: read it in one go, bounded by the batch × 1000.
    const rows = await deps.db.repos.media.unattachedBefore(before, batch * 1000);
    return { removed: rows.length, bytes: rows.reduce((n, m) => n + (m.fileSize ?? 0), 0) };
  }
  for (;;) {
    const rows = await deps.db.repos.media.unattachedBefore(before, batch);
    if (rows.length === 0) break;
    for (const m of rows) {
      await deleteFiles(deps.media, keysOf(m));
      if (await deps.db.repos.media.delete(m.id)) {
        removed++;
        bytes += m.fileSize ?? 0;
      }
    }
    if (rows.length < batch) break;
  }
  return { removed, bytes };
}
