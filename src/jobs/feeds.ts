import { notifyStatusFollowers } from "../services/notifications/status-notifications.ts";
import { refreshSearchEntry } from "../services/search/index-status.ts";
import { pushToTagFollowers } from "../services/tags/tag-feeds.ts";
import { fanOutStatus, removeFromFeeds } from "../services/timelines/fan-out.ts";
import { fanOutStatusJob, removeFromFeedsJob } from "../services/timelines/feed-jobs.ts";
import { resetFeeds, resetFeedsJob } from "../services/timelines/follow-feeds.ts";
import { publishConversation, publishFeedInserts, publishFeedRemovals, publishPublicStatus, publishStatusDeleted } from "../services/streaming/publish.ts";
import { defineJob } from "./define-job.ts";

/**
 * Puts a new status or boost into the home and list feeds of everyone who should see it, then does the extras
 * the job names (search entry, tag followers' feeds, bell notifications). Every step is idempotent, so a retry
 * after a failed extra only repeats work already done (and its streaming events).
 */
export const fanOutStatusHandler = defineJob({
  ...fanOutStatusJob,
  async run(deps, { statusId, index, tagFeeds, notifyFollowers }) {
    const id = BigInt(statusId);
    const placed = await fanOutStatus(deps, id);
    if (placed) {
      // Streaming events after the feeds hold the status, so a client that refetches on the event finds it.
      await publishFeedInserts(deps, placed.status.id, placed);
      await publishPublicStatus(deps, placed.status, { author: placed.author });
      if (placed.status.visibility === "direct" && placed.status.reblogOfId === null && placed.status.conversationId !== null)
        await publishConversation(deps, [placed.status.accountId, ...placed.mentioned], placed.status.conversationId, placed.status.id);
    }
    // A status fan-out skipped (its author suspended meanwhile, the status deleted) still gets its search entry
    // brought up to date: removed, or written for a later unsuspension.
    if (index) await refreshSearchEntry(deps, id, placed?.status);
    if (!placed) return;
    if (tagFeeds) {
      const { pushed, removed } = await pushToTagFollowers(deps, id);
      await publishFeedInserts(deps, id, { homes: pushed, lists: [] });
      await publishFeedRemovals(deps, id, { homes: removed, lists: [] });
    }
    // The fan-out read every local follower: most authors have none who rings the bell, and need no look for them.
    if (notifyFollowers && placed.bellFollowers) await notifyStatusFollowers(deps, id, placed);
  },
});

/** Takes a deleted status (or undone boost) out of every feed and conversation. */
export const removeFromFeedsHandler = defineJob({
  ...removeFromFeedsJob,
  async run(deps, { statusId }) {
    const removed = await removeFromFeeds(deps, BigInt(statusId));
    if (removed) await publishStatusDeleted(deps, removed.status, { ...removed, direct: removed.status.visibility === "direct" ? removed.homes : [] });
  },
});

/** Drops feeds a follow or unfollow changed, for a rebuild on the next read. */
export const resetFeedsHandler = defineJob({
  ...resetFeedsJob,
  async run(deps, { accountId, listIds }) {
    await resetFeeds(deps, BigInt(accountId), listIds.map((id) => BigInt(id)));
  },
});
