import type { InstanceSettings } from "../domain/instance.ts";
import type { Cache } from "../ports/cache.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Feeds } from "../ports/feeds.ts";
import type { LeaseStore } from "../ports/lease.ts";
import type { Logger } from "../ports/logger.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { MediaStore } from "../ports/media-store.ts";
import type { PubSub } from "../ports/pubsub.ts";

/** What job handlers may use: ports only, never adapters. */
export interface JobDeps {
  /** The instance's domain and URLs (for links in e-mails and federation). */
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly cache: Cache;
  readonly feeds: Feeds;
  readonly pubsub: PubSub;
  readonly leases: LeaseStore;
  readonly media: MediaStore;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly log: Logger;
}
