import { distributeStatus } from "../services/timelines/distribute-status.ts";
import { removeFromFeeds } from "../services/timelines/fan-out.ts";
import { fanOutStatusJob, removeFromFeedsJob } from "../services/timelines/feed-jobs.ts";
import { resetFeeds, resetFeedsJob } from "../services/timelines/follow-feeds.ts";
import { publishStatusDeleted } from "../services/streaming/publish.ts";
import { defineJob } from "./define-job.ts";

/** Distributes a new status or boost (distributeStatus): feeds, streaming events and the extras it names. */
export const fanOutStatusHandler = defineJob({
  ...fanOutStatusJob,
  async run(deps, { statusId, ...extras }) {
    await distributeStatus(deps, BigInt(statusId), extras);
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
