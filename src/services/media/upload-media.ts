import { humanSize, imageGeometry, parseFocus, sniffMedia, type MediaType } from "../../domain/media.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { MediaMeta, MediaRecord } from "../../ports/repositories/media.ts";
import type { MediaDeps, MediaError } from "./deps.ts";
import { deleteFiles, keysOf, mediaFileKey, uploadKey } from "./media-files.ts";
import { processMediaJob } from "./media-jobs.ts";
import { processQueuedMedia } from "./process-media.ts";

export interface UploadMediaInput {
  readonly accountId: bigint;
  readonly file: Uint8Array | undefined;
  /** A custom preview (audio and video only). */
  readonly thumbnail?: Uint8Array;
  readonly description?: string;
  /** "x,y", each -1..1. */
  readonly focus?: string;
  /** POST /api/v2/media: audio, video and gifv are processed on a job and the upload answered at once. */
  readonly delayProcessing: boolean;
}

const invalid = (message: string) => err<MediaError>({ kind: "invalid", message });
/** Mastodon's answer when the bytes are not the image they claim to be (Paperclip's NotIdentifiedByImageMagickError). */
export const FILE_TYPE_ERROR = "File type of uploaded media could not be verified";

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The description check Mastodon applies to local media; null when it passes. */
export function descriptionProblem(deps: MediaDeps, description: string | undefined | null): string | null {
  if (description === undefined || description === null) return null;
  const limit = deps.limits.descriptionLimit;
  return [...description].length > limit ? `Validation failed: Description is too long (maximum is ${limit} characters)` : null;
}

/** Processes a custom thumbnail into a stored preview; the problem message when it is not a usable image. */
export async function storeThumbnail(deps: MediaDeps, mediaId: bigint, upload: Uint8Array): Promise<{ key: string; width: number; height: number; blurhash: string | null } | { problem: string }> {
  if (upload.byteLength > deps.limits.imageSizeLimit) return { problem: `Validation failed: Thumbnail file size must be less than ${humanSize(deps.limits.imageSizeLimit)}` };
  const sniffed = sniffMedia(upload);
  if (!sniffed || sniffed.family !== "image") return { problem: "Validation failed: Thumbnail content type is invalid, Thumbnail is invalid" };
  const preview = await deps.images.preview(asBuffer(upload), { smallPixels: deps.limits.previewPixels, maxInputPixels: deps.limits.imageMatrixLimit });
  if ("problem" in preview) return { problem: FILE_TYPE_ERROR };
  const key = mediaFileKey(mediaId, "thumbnail", preview.small.extension);
  await deps.media.put(key, preview.small.data, { contentType: preview.small.contentType });
  return { key, width: preview.small.width, height: preview.small.height, blurhash: preview.blurhash };
}

/**
 * Creates a media attachment from an upload, as Mastodon's media controllers do. The kind comes from the bytes
 * (magic numbers, then sharp or ffprobe), never from the client's Content-Type. Images (JPEG, PNG, WebP, static
 * GIF, HEIF/AVIF) are processed at once: upright, metadata stripped, the original within 3840×2160 pixels, a
 * 640×360-pixel preview and a blurhash. Audio, video and animated GIFs (gifv) go to ffmpeg: on a job when
 * `delayProcessing` (the record comes back queued), else before returning. Limits: size (16 MB images, 99 MB
 * the rest), pixels (bombs are refused from the header, before decoding), description length.
 */
export async function uploadMedia(deps: MediaDeps, input: UploadMediaInput): Promise<Result<MediaRecord, MediaError>> {
  const file = input.file;
  if (!file || file.byteLength === 0) return invalid("Validation failed: File can't be blank");
  const sniffed = sniffMedia(file);
  if (!sniffed) return invalid("Validation failed: File content type is invalid, File is invalid");
  const limit = sniffed.family === "image" ? deps.limits.imageSizeLimit : deps.limits.videoSizeLimit;
  if (file.byteLength > limit) return invalid(`Validation failed: File file size must be less than ${humanSize(limit)}`);
  const description = input.description === undefined || input.description === "" ? null : input.description;
  const descProblem = descriptionProblem(deps, description);
  if (descProblem) return invalid(descProblem);
  const focus = parseFocus(input.focus);
  const bytes = asBuffer(file);
  const now = deps.clock.now();

  let type: MediaType;
  if (sniffed.family === "image") {
    const info = await deps.images.inspect(bytes);
    if (!info) return invalid(FILE_TYPE_ERROR);
    if (info.width * info.height > deps.limits.imageMatrixLimit)
      return invalid(`${info.width}x${info.height} ${info.format === "gif" ? "GIF files" : "images"} are not supported`);
    if (info.format !== "gif" || info.pages <= 1) {
      if (input.thumbnail) return invalid("Validation failed: Thumbnail must be blank");
      return createImage(deps, input.accountId, bytes, description, focus, now);
    }
    type = "gifv";
  } else {
    type = sniffed.guess;
  }
  if (type === "gifv" && input.thumbnail) return invalid("Validation failed: Thumbnail must be blank");

  const id = await deps.db.nextId();
  const meta: MediaMeta = focus ? { focus } : {};
  let thumbnail: { key: string; width: number; height: number; blurhash: string | null } | null = null;
  if (input.thumbnail) {
    const stored = await storeThumbnail(deps, id, input.thumbnail);
    if ("problem" in stored) return invalid(stored.problem);
    thumbnail = stored;
    meta.small = imageGeometry(stored.width, stored.height);
  }
  const upload = uploadKey(id);
  await deps.media.put(upload, bytes, { contentType: "application/octet-stream", cacheControl: "private, no-store" });
  await deps.db.transaction(async (tx) => {
    await tx.media.create({
      id, accountId: input.accountId, type, processing: "queued", uploadKey: upload, fileKey: null, fileContentType: null, fileSize: null,
      smallKey: null, thumbnailKey: thumbnail?.key ?? null, meta, description, blurhash: thumbnail?.blurhash ?? null, now,
    });
    if (input.delayProcessing) await tx.enqueue([jobRequest(processMediaJob, { mediaId: String(id) })]);
  });
  if (!input.delayProcessing) {
    const outcome = await processQueuedMedia(deps, id);
    if (outcome.outcome === "complete") return ok(outcome.media);
    // The synchronous API keeps no half-made attachment: the client is told and nothing remains.
    const left = await deps.db.repos.media.findById(id);
    if (left) {
      await deps.db.repos.media.delete(id);
      await deleteFiles(deps.media, keysOf(left));
    }
    return err({ kind: "processing_failed", message: outcome.outcome === "failed" ? outcome.message : "The upload disappeared" });
  }
  const created = await deps.db.repos.media.findById(id);
  return created ? ok(created) : err({ kind: "not_found" });
}

async function createImage(deps: MediaDeps, accountId: bigint, bytes: Buffer, description: string | null, focus: MediaMeta["focus"], now: number): Promise<Result<MediaRecord, MediaError>> {
  const limits = deps.limits;
  const images = await deps.images.attachmentImages(bytes, {
    originalPixels: limits.imageOriginalPixels, smallPixels: limits.previewPixels, maxInputPixels: limits.imageMatrixLimit,
  });
  if ("problem" in images) return invalid(FILE_TYPE_ERROR);
  const id = await deps.db.nextId();
  const fileKey = mediaFileKey(id, "original", images.original.extension);
  const smallKey = mediaFileKey(id, "small", images.small.extension);
  await Promise.all([
    deps.media.put(fileKey, images.original.data, { contentType: images.original.contentType }),
    deps.media.put(smallKey, images.small.data, { contentType: images.small.contentType }),
  ]);
  const meta: MediaMeta = {
    original: imageGeometry(images.original.width, images.original.height),
    small: imageGeometry(images.small.width, images.small.height),
    ...(focus ? { focus } : {}),
  };
  await deps.db.repos.media.create({
    id, accountId, type: "image", processing: "complete", uploadKey: null, fileKey, fileContentType: images.original.contentType,
    fileSize: images.original.data.length, smallKey, thumbnailKey: null, meta, description, blurhash: images.blurhash, now,
  });
  const created = await deps.db.repos.media.findById(id);
  return created ? ok(created) : err({ kind: "not_found" });
}
