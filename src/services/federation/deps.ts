import type { InstanceSettings } from "../../domain/instance.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Feeds } from "../../ports/feeds.ts";
import type { Logger } from "../../ports/logger.ts";
import type { PubSub } from "../../ports/pubsub.ts";
import type { SearchIndex } from "../../ports/search.ts";
import type { RelationshipDeps } from "../relationships/deps.ts";
import type { StatusDeps } from "../statuses/deps.ts";

/**
 * What the inbound federation services use: what the status and relationship services need, from the
 * instance settings. Job handlers' deps (JobDeps) satisfy it, so the inbox's jobs pass theirs.
 */
export interface InboundDeps {
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly feeds: Feeds;
  /** A received status is distributed (feeds, search entry, streaming) by the job that received it. */
  readonly search: SearchIndex;
  readonly pubsub: PubSub;
  readonly log: Logger;
}

/** The status services' view of the inbound deps. */
export function statusDeps(deps: InboundDeps): StatusDeps {
  return { db: deps.db, cache: deps.cache, clock: deps.clock, localDomain: deps.instance.localDomain, maxStatusChars: deps.instance.maxStatusChars };
}

/** The relationship services' view of the inbound deps. */
export function relationshipDeps(deps: InboundDeps): RelationshipDeps {
  return { db: deps.db, cache: deps.cache, clock: deps.clock };
}
