import { formatLength, hasId3Tag, imageGeometry, VIDEO_OUTPUT, type MediaType } from "../../domain/media.ts";
import type { MediaMeta, MediaRecord } from "../../ports/repositories/media.ts";
import type { MediaStreams } from "../../ports/video.ts";
import type { MediaDeps } from "./deps.ts";
import { deleteFiles, mediaFileKey, readStored } from "./media-files.ts";

/** How a queued upload's processing ended. */
export type ProcessOutcome =
  | { readonly outcome: "complete"; readonly media: MediaRecord }
  | { readonly outcome: "failed"; readonly message: string }
  /** Nothing to do: the record is gone or was processed already (a repeated job). */
  | { readonly outcome: "skipped" };

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

function channelsName(audio: NonNullable<MediaStreams["audio"]>): string | null {
  if (audio.channelLayout) return audio.channelLayout;
  if (audio.channels === 1) return "mono";
  if (audio.channels === 2) return "stereo";
  return audio.channels === null ? null : `${audio.channels} channels`;
}

/** Mastodon's `meta` for audio and video: top-level stream facts, `original` as ffprobe reports the output. */
export function avMeta(streams: MediaStreams, small: { width: number; height: number } | null, focus: MediaMeta["focus"]): MediaMeta {
  const meta: MediaMeta = {};
  if (streams.duration !== null) {
    meta.length = formatLength(streams.duration);
    meta.duration = round(streams.duration, 2);
  }
  const v = streams.video;
  if (v) Object.assign(meta, { fps: Math.round(v.fps), size: `${v.width}x${v.height}`, width: v.width, height: v.height, aspect: v.width / v.height });
  const a = streams.audio;
  if (a) {
    meta.audio_encode = a.profile ? `${a.codec} (${a.profile})` : a.codec;
    if (a.sampleRate !== null) meta.audio_bitrate = `${a.sampleRate} Hz`;
    const channels = channelsName(a);
    if (channels) meta.audio_channels = channels;
  }
  const original: Record<string, unknown> = v ? { width: v.width, height: v.height, frame_rate: v.frameRate } : {};
  if (streams.duration !== null) original.duration = streams.duration;
  if (streams.bitrate !== null) original.bitrate = streams.bitrate;
  meta.original = original;
  if (small) meta.small = imageGeometry(small.width, small.height);
  if (focus) meta.focus = focus;
  return meta;
}

async function fail(deps: MediaDeps, m: MediaRecord, message: string): Promise<ProcessOutcome> {
  deps.log.info({ mediaId: String(m.id), reason: message }, "media processing failed");
  await deps.db.repos.media.updateProcessing(m.id, { processing: "failed", processingError: message, uploadKey: null }, deps.clock.now());
  if (m.uploadKey) await deleteFiles(deps.media, [m.uploadKey]);
  return { outcome: "failed", message };
}

/**
 * Processes a queued audio/video/gifv upload with ffmpeg: video to H.264/AAC MP4 within 1920×1080 and 60 fps
 * (a video without sound becomes gifv, as in Mastodon; an animated GIF is one), audio to MP3; a preview with
 * blurhash from the first frame unless the uploader gave a thumbnail. Files that ffmpeg refuses, or that break
 * the limits, are recorded as failed with the reason (never thrown: a bad file must not make the job retry).
 * Errors of the store or database are thrown, so the job retries.
 */
export async function processQueuedMedia(deps: MediaDeps, mediaId: bigint): Promise<ProcessOutcome> {
  const m = await deps.db.repos.media.findById(mediaId);
  if (!m || (m.processing !== "queued" && m.processing !== "in_progress")) return { outcome: "skipped" };
  if (!m.uploadKey) return fail(deps, m, "The upload is missing");
  const input = await readStored(deps.media, m.uploadKey, deps.limits.videoSizeLimit);
  if (!input) return fail(deps, m, "The upload is missing");
  await deps.db.repos.media.updateProcessing(m.id, { processing: "in_progress" }, deps.clock.now(), ["queued", "in_progress"]);
  const limits = deps.limits;
  const maxOutputBytes = limits.videoSizeLimit;

  let type: MediaType;
  let data: Buffer;
  let streams: MediaStreams;
  let frame: Buffer | null = null;
  let contentType: string;
  let extension: string;
  if (m.type === "gifv") {
    const result = await deps.video.transcodeVideo(input, { ...VIDEO_OUTPUT, audio: false, maxOutputBytes });
    if ("problem" in result) return fail(deps, m, result.message);
    ({ data, streams, frame } = result);
    type = "gifv";
    contentType = "video/mp4";
    extension = "mp4";
  } else {
    const probe = await deps.video.probe(input);
    if (!probe) return fail(deps, m, "File type of uploaded media could not be verified");
    if (hasId3Tag(input) && !probe.formatName.split(",").includes("mp3")) return fail(deps, m, "File type of uploaded media could not be verified");
    if (probe.video) {
      const { width, height, fps } = probe.video;
      if (width * height > limits.videoMatrixLimit) return fail(deps, m, `${width}x${height} videos are not supported`);
      if (fps > limits.videoFrameRateLimit) return fail(deps, m, `${Math.floor(fps)}fps videos are not supported`);
      const result = await deps.video.transcodeVideo(input, { ...VIDEO_OUTPUT, audio: true, maxOutputBytes });
      if ("problem" in result) return fail(deps, m, result.message);
      ({ data, streams, frame } = result);
      type = streams.audio ? "video" : "gifv";
      contentType = "video/mp4";
      extension = "mp4";
    } else {
      const result = await deps.video.transcodeAudio(input, { maxOutputBytes });
      if ("problem" in result) return fail(deps, m, result.message);
      ({ data, streams } = result);
      type = "audio";
      contentType = "audio/mpeg";
      extension = "mp3";
    }
  }

  // A PUT may have set a focus or a thumbnail while ffmpeg ran: build on the row as it is now.
  const current = (await deps.db.repos.media.findById(m.id)) ?? m;
  let small: { key: string; width: number; height: number } | null = null;
  let blurhash = current.blurhash;
  if (frame && !current.thumbnailKey) {
    const preview = await deps.images.preview(frame, { smallPixels: limits.previewPixels, maxInputPixels: limits.imageMatrixLimit });
    if (!("problem" in preview)) {
      const key = mediaFileKey(m.id, "small", preview.small.extension);
      await deps.media.put(key, preview.small.data, { contentType: preview.small.contentType });
      small = { key, width: preview.small.width, height: preview.small.height };
      blurhash = preview.blurhash;
    }
  }
  const thumbnailGeometry = current.thumbnailKey && current.meta.small && typeof current.meta.small === "object" ? (current.meta.small as { width: number; height: number }) : null;
  const fileKey = mediaFileKey(m.id, "original", extension);
  await deps.media.put(fileKey, data, { contentType });
  const meta = avMeta(streams, small ?? thumbnailGeometry, current.meta.focus);
  const updated = await deps.db.repos.media.updateProcessing(
    m.id,
    { type, processing: "complete", processingError: null, uploadKey: null, fileKey, fileContentType: contentType, fileSize: data.length, smallKey: small?.key ?? current.smallKey, meta, blurhash },
    deps.clock.now(),
    ["in_progress"],
  );
  if (!updated) {
    // Deleted (or processed by a duplicate job) meanwhile: drop what this run stored.
    await deleteFiles(deps.media, [fileKey, ...(small ? [small.key] : [])]);
    return { outcome: "skipped" };
  }
  await deleteFiles(deps.media, [m.uploadKey]);
  const done = await deps.db.repos.media.findById(m.id);
  return done ? { outcome: "complete", media: done } : { outcome: "skipped" };
}
