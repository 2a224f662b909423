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

/** Image work for uploads (profile pictures now; media attachments later). */
export interface ImageProcessor {
  /**
   * Turns an upload into a `width`×`height` image that covers the box (cropped from the centre), upright
   * (EXIF orientation applied) and with every metadata block (EXIF, GPS, XMP, ICC comments) removed.
   */
  cover(input: Buffer, width: number, height: number): Promise<ProcessedImage | { problem: ImageProblem }>;
}
