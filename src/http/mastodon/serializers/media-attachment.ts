import { SUPPORTED_MIME_TYPES, type MediaLimits } from "../../../domain/media.ts";
import type { MediaRecord } from "../../../ports/repositories/media.ts";

/** What rendering attachments needs: public URLs of store keys. */
export interface MediaRenderContext {
  mediaUrl(key: string): string;
  /** The instance's https://WEB_DOMAIN, for /media_proxy URLs of remote media not in the cache. */
  readonly baseUrl?: string;
}

/**
 * Mastodon's MediaAttachment entity for a local attachment. `url` is null until processing is complete (a 202
 * upload); `preview_url` is the custom thumbnail if there is one, else the small preview, else null (audio).
 */
export function renderMediaAttachment(ctx: MediaRenderContext, m: MediaRecord): Record<string, unknown> {
  const previewKey = m.thumbnailKey ?? m.smallKey;
  // A remote attachment not in the cache (never fetched, or removed by the retention cleanup): as Mastodon's
  // needs_redownload?, its URLs go through /media_proxy, which queues the fetch and redirects meanwhile.
  if (m.remoteUrl && !m.fileKey) {
    const proxy = (style: string) => (ctx.baseUrl ? `${ctx.baseUrl}/media_proxy/${m.id}/${style}` : m.remoteUrl!);
    return {
      id: String(m.id), type: m.type, url: proxy("original"), preview_url: proxy("small"), remote_url: m.remoteUrl, preview_remote_url: null,
      text_url: null, meta: Object.keys(m.meta).length > 0 ? m.meta : null, description: m.description, blurhash: m.blurhash,
    };
  }
  return {
    id: String(m.id),
    type: m.type,
    url: m.processing === "complete" && m.fileKey ? ctx.mediaUrl(m.fileKey) : null,
    preview_url: previewKey ? ctx.mediaUrl(previewKey) : null,
    remote_url: m.remoteUrl ?? null,
    preview_remote_url: null,
    text_url: null,
    meta: Object.keys(m.meta).length > 0 ? m.meta : null,
    description: m.description,
    blurhash: m.blurhash,
  };
}

/** `configuration.media_attachments` of the instance entities, from the limits in force. */
export function renderMediaConfiguration(limits: MediaLimits): Record<string, unknown> {
  return {
    supported_mime_types: SUPPORTED_MIME_TYPES,
    description_limit: limits.descriptionLimit,
    image_size_limit: limits.imageSizeLimit,
    image_matrix_limit: limits.imageMatrixLimit,
    video_size_limit: limits.videoSizeLimit,
    video_frame_rate_limit: limits.videoFrameRateLimit,
    video_matrix_limit: limits.videoMatrixLimit,
  };
}
