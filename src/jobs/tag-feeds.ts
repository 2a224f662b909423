import { pushToTagFollowers } from "../services/tags/tag-feeds.ts";
import { tagFollowerFeedsJob } from "../services/tags/tag-jobs.ts";
import { publishFeedInserts, publishFeedRemovals } from "../services/streaming/publish.ts";
import { defineJob } from "./define-job.ts";

/** Runs tagFollowerFeedsJob: a tagged public status into (or, deleted, out of) its tags' followers' home feeds. */
export const tagFollowerFeedsHandler = defineJob({
  ...tagFollowerFeedsJob,
  async run(deps, { statusId }) {
    const { pushed, removed } = await pushToTagFollowers(deps, BigInt(statusId));
    // The followed tag's statuses appear live in those home streams, and vanish from them when deleted.
    await publishFeedInserts(deps, BigInt(statusId), { homes: pushed, lists: [] });
    await publishFeedRemovals(deps, BigInt(statusId), { homes: removed, lists: [] });
  },
});
