import type { MediaLimits } from "../../domain/media.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { ImageProcessor } from "../../ports/images.ts";
import type { Logger } from "../../ports/logger.ts";
import type { MediaStore } from "../../ports/media-store.ts";
import type { VideoProcessor } from "../../ports/video.ts";

/** What media services use. */
export interface MediaDeps {
  readonly db: Database;
  /** Where processed files (and uploads awaiting a job) are kept. */
  readonly media: MediaStore;
  readonly images: ImageProcessor;
  readonly video: VideoProcessor;
  readonly clock: Clock;
  readonly limits: MediaLimits;
  readonly log: Logger;
}

/** Why a media request was refused (routes map each kind to Mastodon's status and message). */
export type MediaError =
  | { readonly kind: "not_found" }
  /** Bad input: 422 with Mastodon's message. */
  | { readonly kind: "invalid"; readonly message: string }
  /** DELETE of an attachment a status uses. */
  | { readonly kind: "in_use" }
  /** The file was accepted but could not be processed (422 "Error processing thumbnail for uploaded media"). */
  | { readonly kind: "processing_failed"; readonly message: string };
