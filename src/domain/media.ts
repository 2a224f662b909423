/**
 * Media attachments: kinds, limits and the rules that need no I/O (content sniffing, focal points, sizes).
 * Limits are Mastodon 4.5's defaults; the byte limits are configurable (MAX_IMAGE_SIZE, MAX_VIDEO_SIZE).
 */

export type MediaType = "image" | "gifv" | "video" | "audio" | "unknown";
/** Mastodon's processing states: an upload processed on a job is queued, then complete or failed. */
export type MediaProcessing = "queued" | "in_progress" | "complete" | "failed";

export interface MediaLimits {
  /** Largest image upload, in bytes (Mastodon's IMAGE_LIMIT). */
  readonly imageSizeLimit: number;
  /** Largest video, gifv or audio upload, in bytes (VIDEO_LIMIT). */
  readonly videoSizeLimit: number;
  /** Images with more pixels are refused before decoding (Attachmentable::MAX_MATRIX_LIMIT, 7680×4320). */
  readonly imageMatrixLimit: number;
  /** The stored original is resized within this many pixels (3840×2160). */
  readonly imageOriginalPixels: number;
  /** The `small` preview is resized within this many pixels (640×360). */
  readonly previewPixels: number;
  /** Videos with more pixels are refused (MAX_VIDEO_MATRIX_LIMIT). */
  readonly videoMatrixLimit: number;
  /** Videos with a higher frame rate are refused (MAX_VIDEO_FRAME_RATE). */
  readonly videoFrameRateLimit: number;
  readonly descriptionLimit: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  imageSizeLimit: 16 * 1024 * 1024,
  videoSizeLimit: 99 * 1024 * 1024,
  imageMatrixLimit: 33_177_600,
  imageOriginalPixels: 8_294_400,
  previewPixels: 230_400,
  videoMatrixLimit: 8_294_400,
  videoFrameRateLimit: 120,
  descriptionLimit: 1_500,
};

/** Transcoded video fits this box and never runs faster than this (the output, not the accepted input). */
export const VIDEO_OUTPUT = { maxWidth: 1920, maxHeight: 1080, maxFrameRate: 60 } as const;
/** At most this many attachments on a status. */
export const MAX_MEDIA_ATTACHMENTS = 4;
/** Unattached uploads older than this are removed with their files (Mastodon: a day). */
export const UNATTACHED_MEDIA_TTL_MS = 24 * 3_600_000;

/** The MIME types clients may upload, as `configuration.media_attachments.supported_mime_types` lists them. */
export const SUPPORTED_MIME_TYPES: readonly string[] = [
  "image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp", "image/avif",
  "video/webm", "video/mp4", "video/quicktime", "video/ogg",
  "audio/wave", "audio/wav", "audio/x-wav", "audio/x-pn-wave", "audio/vnd.wave", "audio/ogg", "audio/vorbis", "audio/mpeg",
  "audio/mp3", "audio/webm", "audio/flac", "audio/aac", "audio/m4a", "audio/x-m4a", "audio/mp4", "audio/3gpp", "video/x-ms-asf",
];

/** What the first bytes of an upload say it is: an image format sharp decodes, or audio/video for ffmpeg. */
export type SniffedMedia =
  | { readonly family: "image"; readonly format: "jpeg" | "png" | "gif" | "webp" | "heif" | "avif" }
  | { readonly family: "av"; readonly guess: "video" | "audio" };

const ascii = (b: Uint8Array, at: number, s: string) => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

/**
 * The upload's kind from its magic numbers, never from the client's Content-Type or file name. Null for anything
 * Mastodon does not accept. Audio/video containers are only a first guess: ffprobe's streams decide.
 */
export function sniffMedia(b: Uint8Array): SniffedMedia | null {
  if (b.length < 12) return null;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { family: "image", format: "jpeg" };
  if (b[0] === 0x89 && ascii(b, 1, "PNG\r\n\x1a\n")) return { family: "image", format: "png" };
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return { family: "image", format: "gif" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return { family: "image", format: "webp" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return { family: "av", guess: "audio" };
  if (ascii(b, 4, "ftyp")) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (brand === "avif" || brand === "avis") return { family: "image", format: "avif" };
    if (["heic", "heix", "mif1", "msf1", "heim", "heis", "hevc"].includes(brand)) return { family: "image", format: "heif" };
    if (brand.startsWith("M4A") || brand.startsWith("M4B")) return { family: "av", guess: "audio" };
    if (brand.startsWith("3gp") || brand.startsWith("3g2")) return { family: "av", guess: "audio" };
    return { family: "av", guess: "video" };
  }
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return { family: "av", guess: "video" };
  if (ascii(b, 0, "OggS")) {
    const head = Buffer.from(b.subarray(0, Math.min(b.length, 512))).toString("latin1");
    return { family: "av", guess: head.includes("theora") ? "video" : "audio" };
  }
  if (ascii(b, 0, "fLaC")) return { family: "av", guess: "audio" };
  if (ascii(b, 0, "ID3")) return { family: "av", guess: "audio" };
  // An MPEG audio frame (MP3) or an ADTS AAC frame: 11 or 12 sync bits.
  if (b[0] === 0xff && (b[1] & 0xe0) === 0xe0) return { family: "av", guess: "audio" };
  if (b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75) return { family: "av", guess: "audio" };
  return null;
}

/**
 * Whether the bytes open with an ID3v2 tag. Such a file is taken as MP3 only: the tag can front anything (an
 * HLS playlist, AAC), and ffprobe's verdict on what follows must then be mp3.
 */
export function hasId3Tag(b: Uint8Array): boolean {
  return ascii(b, 0, "ID3");
}

/** A focal point, each coordinate in -1..1. */
export interface Focus {
  readonly x: number;
  readonly y: number;
}

/**
 * Parses `focus` ("x,y") as Mastodon does (Ruby's to_f, so junk reads as 0), clamped to -1..1. Undefined for a
 * blank value: Mastodon then keeps the current point.
 */
export function parseFocus(raw: string | undefined): Focus | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const [x, y] = raw.split(",").map((part) => {
    const n = Number.parseFloat(part.trim());
    return Number.isFinite(n) ? Math.max(-1, Math.min(1, n)) : 0;
  });
  return { x: x ?? 0, y: y ?? 0 };
}

/** Rails' number_to_human_size (3 significant digits, binary units), as Paperclip's size message prints limits. */
export function humanSize(bytes: number): string {
  const units = ["Bytes", "KB", "MB", "GB", "TB"];
  let exp = 0;
  while (exp < units.length - 1 && bytes >= 1024 ** (exp + 1)) exp++;
  if (exp === 0) return `${bytes} Bytes`;
  return `${Number.parseFloat((bytes / 1024 ** exp).toPrecision(3))} ${units[exp]}`;
}

/** The size within `maxPixels` (never enlarged), aspect kept, as Paperclip's `pixels:` geometry. */
export function fitPixels(width: number, height: number, maxPixels: number): { width: number; height: number } {
  if (width * height <= maxPixels) return { width, height };
  const scale = Math.sqrt(maxPixels / (width * height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** `meta.original`/`meta.small` for an image: width, height, "WxH", aspect. */
export function imageGeometry(width: number, height: number): { width: number; height: number; size: string; aspect: number } {
  return { width, height, size: `${width}x${height}`, aspect: width / height };
}

/** ffmpeg's "H:MM:SS.cc" duration, as Mastodon's `meta.length`. */
export function formatLength(seconds: number): string {
  const cs = Math.round(seconds * 100);
  const h = Math.floor(cs / 360_000);
  const m = Math.floor((cs % 360_000) / 6_000);
  const s = (cs % 6_000) / 100;
  return `${h}:${String(m).padStart(2, "0")}:${s.toFixed(2).padStart(5, "0")}`;
}
