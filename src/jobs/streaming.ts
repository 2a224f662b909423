import {
  publishFeedInserts,
  publishFiltersChanged,
  publishNotification,
  publishNotificationsMerged,
  publishPublicStatus,
  streamAnnouncementReaction,
} from "../services/streaming/publish.ts";
import {
  streamAnnouncementReactionJob,
  streamFiltersChangedJob,
  streamNotificationJob,
  streamNotificationsMergedJob,
  streamStatusEditJob,
} from "../services/streaming/stream-jobs.ts";
import { FAN_OUT_BATCH } from "../services/timelines/fan-out.ts";
import { defineJob } from "./define-job.ts";

/** A committed notification goes to its recipient's notification stream. */
export const streamNotificationHandler = defineJob({
  ...streamNotificationJob,
  async run(deps, { accountId, notificationId }) {
    await publishNotification(deps, BigInt(accountId), BigInt(notificationId));
  },
});

/** An account's filters changed: its user streams get `filters_changed`. */
export const streamFiltersChangedHandler = defineJob({
  ...streamFiltersChangedJob,
  async run(deps, { accountId }) {
    await publishFiltersChanged(deps, BigInt(accountId));
  },
});

/**
 * An edited status: `status.update` wherever it may be shown live, as Mastodon's fan-out with `update: true`.
 * Each streaming process checks every subscriber before sending, so publishing to every local follower's home
 * (whether or not their feed rules took the status) shows it to no one who may not see it.
 */
export const streamStatusEditHandler = defineJob({
  ...streamStatusEditJob,
  async run(deps, { statusId }) {
    const repos = deps.db.repos;
    const status = await repos.statuses.findById(BigInt(statusId));
    if (!status || status.deletedAt !== null) return;
    const author = await repos.accounts.findById(status.accountId);
    if (!author) return;
    const homes: bigint[] = [status.accountId];
    let after: bigint | null = null;
    for (;;) {
      const batch = await repos.timelines.localFollowers(status.accountId, after, FAN_OUT_BATCH);
      for (const f of batch) homes.push(f.accountId);
      if (batch.length < FAN_OUT_BATCH) break;
      after = batch[batch.length - 1].followId;
    }
    const lists = (await repos.lists.holdingsOf(status.accountId)).map((h) => h.listId);
    await publishFeedInserts(deps, status.id, { homes, lists }, "status.update");
    await publishPublicStatus(deps, status, { author, event: "status.update" });
  },
});

/** A reaction changed: every user stream gets its name and new count (0 when the last one went). */
export const streamAnnouncementReactionHandler = defineJob({
  ...streamAnnouncementReactionJob,
  async run(deps, { announcementId, name }) {
    const id = BigInt(announcementId);
    const reactions = (await deps.db.repos.announcements.reactionsOf([id], null)).get(id) ?? [];
    await streamAnnouncementReaction(deps, id, name, reactions.find((r) => r.name === name)?.count ?? 0);
  },
});

/** Accepted requests were merged: the account's notification streams get `notifications_merged` (clients refetch). */
export const streamNotificationsMergedHandler = defineJob({
  ...streamNotificationsMergedJob,
  async run(deps, { accountId }) {
    await publishNotificationsMerged(deps, BigInt(accountId));
  },
});
