import type { Kysely } from "kysely";
import type { Repositories } from "../../../ports/repositories/index.ts";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import type { Tables } from "../schema.ts";
import type { SqliteRowCache } from "../sqlite-row-cache.ts";
import { KyselyAccountKeysRepository } from "./account-keys.ts";
import { KyselyAccountsRepository } from "./accounts.ts";
import { KyselyAnnouncementsRepository } from "./announcements.ts";
import { KyselyConversationsRepository } from "./conversations.ts";
import { KyselyCustomEmojisRepository } from "./custom-emojis.ts";
import { KyselyDeliveryStateRepository } from "./delivery-state.ts";
import { KyselyDiscoveryRepository } from "./discovery.ts";
import { KyselyDomainModerationRepository } from "./domain-moderation.ts";
import { KyselyInstanceRepository } from "./instance.ts";
import { KyselyFiltersRepository } from "./filters.ts";
import { KyselyInteractionsRepository } from "./interactions.ts";
import { KyselyListsRepository } from "./lists.ts";
import { KyselyMediaRepository } from "./media.ts";
import { KyselyMediaMigrationRepository } from "./media-migration.ts";
import { KyselyRemoteMediaRepository } from "./remote-media.ts";
import { KyselyReportsRepository } from "./reports.ts";
import { KyselyFederationRecipientsRepository } from "./federation-recipients.ts";
import { KyselyNotificationsRepository } from "./notifications.ts";
import { KyselyOAuthRepository } from "./oauth.ts";
import { KyselyPollsRepository } from "./polls.ts";
import { KyselyRelationshipsRepository } from "./relationships.ts";
import { KyselyScheduledStatusesRepository } from "./scheduled-statuses.ts";
import { KyselySessionsRepository } from "./sessions.ts";
import { KyselyStatusesRepository } from "./statuses.ts";
import { KyselyTagsRepository } from "./tags.ts";
import { KyselyTimelinesRepository } from "./timelines.ts";
import { KyselyUsersRepository } from "./users.ts";

/** In-memory rows a database's repositories may answer from outside transactions (sqlite-row-cache.ts). */
export interface RowCaches {
  readonly statuses?: SqliteRowCache<StatusRecord>;
}

/** Binds every repository to one connection or transaction. Cheap: repositories hold only the handle. */
export function createRepositories(db: Kysely<Tables>, caches: RowCaches = {}): Repositories {
  return {
    accounts: new KyselyAccountsRepository(db),
    accountKeys: new KyselyAccountKeysRepository(db),
    oauth: new KyselyOAuthRepository(db),
    relationships: new KyselyRelationshipsRepository(db),
    users: new KyselyUsersRepository(db),
    sessions: new KyselySessionsRepository(db),
    statuses: new KyselyStatusesRepository(db, caches.statuses),
    notifications: new KyselyNotificationsRepository(db),
    filters: new KyselyFiltersRepository(db),
    tags: new KyselyTagsRepository(db),
    interactions: new KyselyInteractionsRepository(db),
    instance: new KyselyInstanceRepository(db),
    customEmojis: new KyselyCustomEmojisRepository(db),
    announcements: new KyselyAnnouncementsRepository(db),
    discovery: new KyselyDiscoveryRepository(db),
    timelines: new KyselyTimelinesRepository(db),
    lists: new KyselyListsRepository(db),
    conversations: new KyselyConversationsRepository(db),
    polls: new KyselyPollsRepository(db),
    scheduledStatuses: new KyselyScheduledStatusesRepository(db),
    media: new KyselyMediaRepository(db),
    mediaMigration: new KyselyMediaMigrationRepository(db),
    remoteMedia: new KyselyRemoteMediaRepository(db),
    reports: new KyselyReportsRepository(db),
    deliveryState: new KyselyDeliveryStateRepository(db),
    domainModeration: new KyselyDomainModerationRepository(db),
    federationRecipients: new KyselyFederationRecipientsRepository(db),
  };
}
