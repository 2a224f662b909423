import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Feeds } from "../../ports/feeds.ts";
import { findVisibleStatus } from "../statuses/read-statuses.ts";
import { visibleAmong } from "../statuses/status-visibility.ts";
import { homeKey } from "../timelines/deps.ts";

/** What pushing statuses to tag followers needs. */
export interface TagFeedDeps {
  readonly db: Database;
  readonly feeds: Feeds;
  readonly clock: Clock;
}

/**
 * The tagFollowerFeedsJob: a public status with tags goes into the home feed of each account following one of
 * them, unless the follower may not see it in a feed (blocks either way, a domain block) or mutes the author,
 * as Mastodon's FeedManager filters tag pushes. When the status is gone, it leaves those feeds again. Pushing
 * an id a feed already holds (the author is also followed) does nothing.
 */
export async function pushToTagFollowers(deps: TagFeedDeps, statusId: bigint): Promise<{ pushed: bigint[]; removed: bigint[] }> {
  const repos = deps.db.repos;
  const tags = (await repos.tags.tagsOf([statusId])).get(statusId) ?? [];
  if (tags.length === 0) return { pushed: [], removed: [] };
  const followers = await repos.tags.followersOf(tags.map((t) => t.id));
  if (followers.length === 0) return { pushed: [], removed: [] };
  // Seen anonymously: a status that is gone, not public, or by an unavailable author reaches nobody.
  const found = await findVisibleStatus(deps, statusId, null);
  if (!found || found.status.visibility !== "public" || found.status.reblogOfId !== null) {
    await deps.feeds.remove(followers.map(homeKey), statusId);
    return { pushed: [], removed: followers };
  }
  const { status, author } = found;
  const authors = new Map([[author.id, author]]);
  const pushed: bigint[] = [];
  for (const followerId of followers) {
    if (followerId === author.id) continue;
    const shown = await visibleAmong(deps, followerId, [status], { context: "feed", hideMuted: true }, { authors });
    if (shown.length > 0) pushed.push(followerId);
  }
  if (pushed.length > 0) await deps.feeds.push(pushed.map(homeKey), status.id);
  return { pushed, removed: [] };
}
