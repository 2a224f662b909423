/** A processed image, ready to store. */
export interface ProcessedImage {
  readonly data: Buffer;
  readonly contentType: string;
  /** File extension without the dot: jpg, png, webp. */
  readonly extension: string;
  readonly width: number;
  readonly height: number;
}

/** Why an upload could not be turned into an image. */
export type ImageProblem = "unsupported" | "too_large" | "unreadable";

/** What an image's header says, read without decoding its pixels. */
export interface ImageInfo {
  /** sharp's format name: jpeg, png, gif, webp, heif, … */
  readonly format: string;
  readonly width: number;
  /** One frame's height (an animation's frames are stacked in sharp's height). */
  readonly height: number;
  /** Frames: more than one for an animated GIF or WebP. */
  readonly pages: number;
}

/** The files of an image attachment: the original and its `small` preview, with the preview's blurhash. */
export interface AttachmentImages {
  readonly original: ProcessedImage;
  readonly small: ProcessedImage;
  readonly blurhash: string | null;
}

/** Image work for uploads: profile pictures, emojis, media attachments. */
export interface ImageProcessor {
  /**
   * Turns an upload into a `width`×`height` image that covers the box (cropped from the centre), upright
   * (EXIF orientation applied) and with every metadata block (EXIF, GPS, XMP, ICC comments) removed.
   */
  cover(input: Buffer, width: number, height: number): Promise<ProcessedImage | { problem: ImageProblem }>;
  /**
   * For small pictures such as custom emojis: the image fitted within `maxSide`×`maxSide` (never enlarged) in its own
   * format with animation kept (PNG, GIF or WebP only) and metadata removed, plus a static PNG of its first frame.
   */
  fitWithStill(input: Buffer, maxSide: number): Promise<{ image: ProcessedImage; still: ProcessedImage } | { problem: ImageProblem }>;
  /** The format, size and frame count from the header (no pixels decoded, so bombs cost nothing); null if unreadable. */
  inspect(input: Buffer): Promise<ImageInfo | null>;
  /**
   * A media attachment's files, as Mastodon's image styles: the original upright (EXIF orientation applied), every
   * metadata block removed, fitted within `originalPixels` (never enlarged), JPEG/PNG/WebP kept in their format
   * (static GIF becomes PNG, HEIF/AVIF become JPEG); `small` fitted within `smallPixels`; a 4×4 blurhash.
   * Inputs over `maxInputPixels` are refused before decoding.
   */
  attachmentImages(input: Buffer, limits: { originalPixels: number; smallPixels: number; maxInputPixels: number }): Promise<AttachmentImages | { problem: ImageProblem }>;
  /** A preview from a still (a video's first frame, a custom thumbnail): fitted within `smallPixels`, with a blurhash. */
  preview(input: Buffer, limits: { smallPixels: number; maxInputPixels: number }): Promise<{ small: ProcessedImage; blurhash: string | null } | { problem: ImageProblem }>;
}
