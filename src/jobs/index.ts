import { sendConfirmationMail, sendPasswordResetMail } from "./account-mail.ts";
import { cleanupAuthRecords } from "./auth-cleanup.ts";
import type { JobDefinition } from "./define-job.ts";
import { generateActorKeysHandler } from "./federation-keys.ts";
import { ingestActivityHandler } from "../federation/inbox/ingest-job.ts";
import { fetchRepliesHandler } from "../federation/inbox/fetch-replies-job.ts";
import { endRemotePollHandler } from "../federation/inbox/end-remote-poll-job.ts";
import { removeDeletedActorHandler } from "./deleted-actors.ts";
import { federateHandler } from "../federation/outbox/federate-job.ts";
import { deliverHandler } from "../federation/deliver-job.ts";
import { pruneGoneActorsHandler } from "../federation/gone-actors-job.ts";
import { refreshInstanceCachesHandler } from "./instance-caches.ts";
import { domainModerationChangedHandler } from "./domain-moderation.ts";
import { fanOutStatusHandler, removeFromFeedsHandler, resetFeedsHandler } from "./feeds.ts";
import { cleanupLeases, databaseMaintenance } from "./maintenance.ts";
import { processMediaHandler, removeUnattachedMediaHandler } from "./media.ts";
import { notifyFollowersHandler } from "./notifications.ts";
import { endDuePollsHandler, endPollHandler } from "./polls.ts";
import { publishDueStatusesHandler, publishScheduledStatusHandler } from "./scheduled-statuses.ts";
import { indexStatusHandler } from "./search-index.ts";
import {
  streamAnnouncementReactionHandler,
  streamFiltersChangedHandler,
  streamNotificationHandler,
  streamNotificationsMergedHandler,
  streamStatusEditHandler,
} from "./streaming.ts";
import { fetchRemoteMediaHandler, fetchRemoteProfileImageHandler, removeRemoteMediaCacheHandler } from "./remote-media.ts";
import { tagFollowerFeedsHandler } from "./tag-feeds.ts";
import { deliverTestMail } from "./test-mail.ts";
import { refreshTrendsHandler } from "./trends.ts";
import { refreshUserCachesHandler } from "./user-caches.ts";

/** Every job Herd runs. A worker refuses names it does not find here (they go to the dead set). */
export const ALL_JOBS: readonly JobDefinition<any>[] = [
  refreshUserCachesHandler,
  cleanupLeases,
  databaseMaintenance,
  deliverTestMail,
  sendConfirmationMail,
  sendPasswordResetMail,
  cleanupAuthRecords,
  fanOutStatusHandler,
  removeFromFeedsHandler,
  resetFeedsHandler,
  notifyFollowersHandler,
  indexStatusHandler,
  tagFollowerFeedsHandler,
  refreshInstanceCachesHandler,
  domainModerationChangedHandler,
  refreshTrendsHandler,
  endPollHandler,
  endDuePollsHandler,
  publishScheduledStatusHandler,
  publishDueStatusesHandler,
  generateActorKeysHandler,
  ingestActivityHandler,
  fetchRepliesHandler,
  endRemotePollHandler,
  federateHandler,
  pruneGoneActorsHandler,
  removeDeletedActorHandler,
  processMediaHandler,
  removeUnattachedMediaHandler,
  fetchRemoteMediaHandler,
  fetchRemoteProfileImageHandler,
  removeRemoteMediaCacheHandler,
  streamNotificationHandler,
  streamFiltersChangedHandler,
  streamStatusEditHandler,
  streamAnnouncementReactionHandler,
  streamNotificationsMergedHandler,
  deliverHandler,
];
