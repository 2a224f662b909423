import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Feeds } from "../../ports/feeds.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { findVisibleStatus } from "../statuses/read-statuses.ts";
import { homeKey } from "../timelines/deps.ts";

/** What pushing statuses to tag followers needs. */
export interface TagFeedDeps {
  readonly db: Database;
  readonly feeds: Feeds;
  readonly clock: Clock;
}

/** Tag followers read and judged per round: one exclusion query and one Feeds write per batch. */
export const TAG_FAN_OUT_BATCH = 1_000;

/**
 * The tagFollowerFeedsJob: a public status with tags goes into the home feed of each account following one of
 * them, unless the follower blocks or mutes the author or an account it mentions, is blocked by the author, or
 * blocks the author's domain, as Mastodon's FeedManager#filter_from_tags?. Followers come in
 * batches of TAG_FAN_OUT_BATCH, each judged with one query (timelines.excludedAmong, the query home fan-out
 * uses). When the status is gone or no longer public, it leaves those feeds again. Pushing an id a feed already
 * holds (the author is also followed) does nothing. `knownTags`: the status's tags as its creator just recorded
 * them, spared a read.
 */
export async function pushToTagFollowers(
  deps: TagFeedDeps,
  statusId: bigint,
  knownTags?: readonly TagRecord[],
): Promise<{ pushed: bigint[]; removed: bigint[] }> {
  const repos = deps.db.repos;
  const tags = knownTags ?? (await repos.tags.tagsOf([statusId])).get(statusId) ?? [];
  if (tags.length === 0) return { pushed: [], removed: [] };
  const tagIds = tags.map((t) => t.id);
  let batch = await repos.tags.followersOf(tagIds, null, TAG_FAN_OUT_BATCH);
  if (batch.length === 0) return { pushed: [], removed: [] };
  // Seen anonymously: a status that is gone, not public, or by an unavailable author reaches nobody.
  const found = await findVisibleStatus(deps, statusId, null);
  const shown = found && found.status.visibility === "public" && found.status.reblogOfId === null ? found : null;
  const exclusion = shown
    ? {
        blockedOrMuted: [shown.author.id, ...((await repos.statuses.mentionsOf([shown.status.id])).get(shown.status.id) ?? [])],
        blockers: [shown.author.id],
        domains: shown.author.domain === null ? [] : [shown.author.domain],
      }
    : null;
  const pushed: bigint[] = [];
  const removed: bigint[] = [];
  for (;;) {
    if (!shown || !exclusion) {
      await deps.feeds.remove(batch.map(homeKey), statusId);
      removed.push(...batch);
    } else {
      const receivers = batch.filter((id) => id !== shown.author.id);
      const excluded = await repos.timelines.excludedAmong(receivers, { ...exclusion, now: deps.clock.now() });
      const kept = receivers.filter((id) => !excluded.has(id));
      if (kept.length > 0) await deps.feeds.push(kept.map(homeKey), shown.status.id);
      pushed.push(...kept);
    }
    if (batch.length < TAG_FAN_OUT_BATCH) break;
    batch = await repos.tags.followersOf(tagIds, batch[batch.length - 1], TAG_FAN_OUT_BATCH);
    if (batch.length === 0) break;
  }
  return { pushed, removed };
}
