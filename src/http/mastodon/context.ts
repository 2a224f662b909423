import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { RemoteResolver } from "../../ports/remote-resolver.ts";
import type { InstanceSettings } from "../../domain/instance.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Feeds } from "../../ports/feeds.ts";
import type { ImageProcessor } from "../../ports/images.ts";
import type { JobQueue } from "../../ports/job-queue.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Mailer } from "../../ports/mailer.ts";
import type { MediaStore } from "../../ports/media-store.ts";
import type { SearchIndex } from "../../ports/search.ts";
import type { VideoProcessor } from "../../ports/video.ts";
import type { AuthContext } from "../middleware/auth.ts";

/** What route handlers may use: ports and instance settings, never adapters. */
export interface ApiDeps {
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly cache: Cache;
  /** Home and list feeds (read, and rebuilt on a miss). */
  readonly feeds: Feeds;
  /** The full-text index of statuses (search). */
  readonly search: SearchIndex;
  readonly clock: Clock;
  readonly media: MediaStore;
  readonly images: ImageProcessor;
  /** ffmpeg work for media uploads processed before answering (POST /api/v1/media). */
  readonly video: VideoProcessor;
  readonly mailer: Mailer;
  readonly queue: JobQueue;
  readonly log: Logger;
  /** Remote accounts and posts for search with `resolve` (absent: nothing remote is looked up). */
  readonly resolver?: RemoteResolver;
}

/**
 * Hono variables of API requests: the client address, the bearer token's owner (null when anonymous), and on
 * routes behind requireActiveUser the acting account it read.
 */
export type ApiEnv = { Variables: { clientIp: string; auth: AuthContext | null; actingAccount?: AccountRecord } };
