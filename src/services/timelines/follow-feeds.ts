import { z } from "zod";
import type { Tx } from "../../ports/database.ts";
import { jobRequest, type JobContract } from "../../ports/job-queue.ts";
import { homeKey, listKey, type TimelineDeps } from "./deps.ts";

const id = z.string().regex(/^\d{1,20}$/);

/**
 * Drops an account's home feed and some of its list feeds, so the next read rebuilds them: after a follow
 * (Mastodon merges the new account's statuses in) or an unfollow (it takes them out).
 */
export const resetFeedsJob: JobContract<{ accountId: string; listIds: string[] }> = {
  name: "reset-feeds",
  queue: "default",
  payload: z.object({ accountId: id, listIds: z.array(id).max(1_000) }),
  retry: { attempts: 8, backoffMs: 1_000 },
};

/** The handler's work: drop the feeds (a missing one stays missing). */
export async function resetFeeds(deps: Pick<TimelineDeps, "feeds">, accountId: bigint, listIds: readonly bigint[]): Promise<void> {
  for (const key of [homeKey(accountId), ...listIds.map(listKey)]) await deps.feeds.drop(key);
}

/** In a follow's transaction: the follower's home will be rebuilt with the followed account's statuses. */
export async function followedInFeeds(tx: Tx, followerId: bigint): Promise<void> {
  await tx.enqueue([jobRequest(resetFeedsJob, { accountId: String(followerId), listIds: [] })]);
}

/**
 * In an unfollow's transaction: the unfollowed account leaves the follower's lists (Mastodon's lists hold
 * only followed accounts), and the follower's home and those lists will be rebuilt without its statuses.
 */
export async function unfollowedInFeeds(tx: Tx, followerId: bigint, targetId: bigint): Promise<void> {
  const lists = await tx.lists.removeFromOwnerLists(followerId, targetId);
  await tx.enqueue([jobRequest(resetFeedsJob, { accountId: String(followerId), listIds: lists.map(String) })]);
}
