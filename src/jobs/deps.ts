import type { InstanceSettings } from "../domain/instance.ts";
import type { Cache } from "../ports/cache.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Feeds } from "../ports/feeds.ts";
import type { HttpClient } from "../ports/http-client.ts";
import type { DeliveryObserver } from "../services/federation/delivery.ts";
import type { ImageProcessor } from "../ports/images.ts";
import type { LeaseStore } from "../ports/lease.ts";
import type { Logger } from "../ports/logger.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { MediaStore } from "../ports/media-store.ts";
import type { PubSub } from "../ports/pubsub.ts";
import type { SearchIndex } from "../ports/search.ts";
import type { VideoProcessor } from "../ports/video.ts";

/** What job handlers may use: ports only, never adapters. */
export interface JobDeps {
  /** The instance's domain and URLs (for links in e-mails and federation). */
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly cache: Cache;
  readonly feeds: Feeds;
  /** The full-text index of statuses. */
  readonly search: SearchIndex;
  readonly pubsub: PubSub;
  readonly leases: LeaseStore;
  readonly media: MediaStore;
  /** Image and audio/video processing of media attachments. */
  readonly images: ImageProcessor;
  readonly video: VideoProcessor;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly log: Logger;
  /** The guarded outgoing HTTP client (remote media fetches); absent in processes that make no such requests. */
  readonly http?: HttpClient;
  /**
   * Which plain-http URLs federation may fetch (LOCAL_HTTPS=false with peers on ALLOWED_PRIVATE_ADDRESSES, for
   * development and tests); absent: none.
   */
  readonly plainHttpPeers?: (url: URL) => boolean;
  /** Counts delivery outcomes for metrics; absent where nothing observes them. */
  readonly deliveries?: DeliveryObserver;
}
