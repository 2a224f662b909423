import { forgetAccounts } from "../accounts/account-cache.ts";
import { federate } from "../federation/outbound.ts";
import { clearNotificationsFrom } from "../notifications/notify.ts";
import { unfollowedInFeeds } from "../timelines/follow-feeds.ts";
import type { RelationshipDeps } from "./deps.ts";
import { localToRemote, pair } from "./follow.ts";

/**
 * Blocks `targetId`: follows both ways and pending requests both ways end in the same transaction, so neither
 * side keeps seeing the other through an old follow. Blocking oneself does nothing, as in Mastodon.
 */
export async function blockAccount(deps: RelationshipDeps, accountId: bigint, targetId: bigint): Promise<void> {
  if (accountId === targetId) return;
  await deps.db.transaction(async (tx) => {
    const r = tx.relationships;
    // An ended follow also leaves the follower's lists and home feed, as an unfollow does.
    if (await r.unfollow(accountId, targetId)) await unfollowedInFeeds(tx, accountId, targetId);
    if (await r.unfollow(targetId, accountId)) await unfollowedInFeeds(tx, targetId, accountId);
    await r.deleteFollowRequest(accountId, targetId);
    await r.deleteFollowRequest(targetId, accountId);
    const added = await r.block(await tx.nextId(), accountId, targetId, deps.clock.now());
    // As Mastodon's AfterBlockService: the blocker keeps no notifications from the blocked account.
    await clearNotificationsFrom(tx, accountId, targetId);
    // The blocked account's server ends the follows on its side when the Block arrives.
    if (added && (await localToRemote(tx, accountId, targetId))) await federate(tx, { type: "block", ...pair(accountId, targetId) });
  });
  await forgetAccounts(deps.cache, [accountId, targetId]);
}

/** Lifts a block; not blocking is not an error. */
export async function unblockAccount(deps: RelationshipDeps, accountId: bigint, targetId: bigint): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if ((await tx.relationships.unblock(accountId, targetId)) && (await localToRemote(tx, accountId, targetId)))
      await federate(tx, { type: "undo-block", ...pair(accountId, targetId) });
  });
}
