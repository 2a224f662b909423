import { forgetAccounts } from "../accounts/account-cache.ts";
import { notify } from "../notifications/notify.ts";
import { blockAccount, unblockAccount } from "../relationships/block.ts";
import { endFollow, isAvailable, pair } from "../relationships/follow.ts";
import { followedInFeeds } from "../timelines/follow-feeds.ts";
import type { InboundDeps } from "./deps.ts";
import { relationshipDeps } from "./deps.ts";
import { federate } from "./outbound.ts";

export type ReceivedFollowOutcome = "following" | "requested" | "refused";

/**
 * A remote account's Follow of a local one, as Mastodon's ActivityPub::Activity::Follow: refused (Reject sent)
 * when the target is not an available local account, when either blocks the other, or when the target blocks
 * the follower's domain; a locked target (or a silenced follower) gets a follow request (`follow_request`
 * notification) and answers later; otherwise the follow is made (`follow` notification) and accepted at once. A Follow repeated while
 * following changes nothing but sends the Accept again (the other server may have missed it), as Mastodon does.
 */
export async function receiveFollow(deps: InboundDeps, input: { followerId: bigint; targetId: bigint; followUri: string | null }): Promise<ReceivedFollowOutcome> {
  const { followerId, targetId, followUri } = input;
  const ids = pair(followerId, targetId);
  const outcome = await deps.db.transaction(async (tx): Promise<ReceivedFollowOutcome> => {
    const accounts = await tx.accounts.findByIds([followerId, targetId]);
    const follower = accounts.find((a) => a.id === followerId);
    const target = accounts.find((a) => a.id === targetId);
    if (!follower || follower.domain === null || follower.suspendedAt !== null || followerId === targetId) return "refused";
    const refuse = async (): Promise<ReceivedFollowOutcome> => {
      await federate(tx, { type: "reject-follow", ...ids, followUri });
      return "refused";
    };
    if (!isAvailable(target) || target.domain !== null) return refuse();
    const blocks = await tx.relationships.blocksBetween(followerId, targetId);
    if (blocks.aBlocksB || blocks.bBlocksA) return refuse();
    if (await tx.relationships.isDomainBlocked(targetId, follower.domain.toLowerCase())) return refuse();

    if (await tx.relationships.findFollow(followerId, targetId)) {
      await federate(tx, { type: "accept-follow", ...ids, followUri });
      return "following";
    }
    if (await tx.relationships.findFollowRequest(followerId, targetId)) return "requested";
    const row = { id: await tx.nextId(), accountId: followerId, targetAccountId: targetId, showReblogs: true, notify: false, languages: null, now: deps.clock.now(), uri: followUri };
    // A silenced account (or one of a silenced domain) may only ask, as Mastodon's Follow handler rules.
    if (target.locked || follower.silencedAt !== null) {
      if (await tx.relationships.requestFollow(row))
        await notify(tx, row.now, [{ type: "follow_request", recipientId: targetId, fromAccountId: followerId }]);
      return "requested";
    }
    if (await tx.relationships.follow(row)) await notify(tx, row.now, [{ type: "follow", recipientId: targetId, fromAccountId: followerId }]);
    await federate(tx, { type: "accept-follow", ...ids, followUri });
    return "following";
  });
  if (outcome !== "refused") await forgetAccounts(deps.cache, [followerId, targetId]);
  return outcome;
}

/**
 * The remote account accepted a local account's request: it becomes a follow with the request's options (and
 * Follow id), and the follower's home is rebuilt with the new account's statuses, as authorizeFollowRequest does
 * the other way. An Accept without a pending request (a repeat) changes nothing. Returns whether it did.
 */
export async function receiveAccept(deps: InboundDeps, input: { localFollowerId: bigint; remoteTargetId: bigint }): Promise<boolean> {
  const { localFollowerId, remoteTargetId } = input;
  const accepted = await deps.db.transaction(async (tx) => {
    const request = await tx.relationships.findFollowRequest(localFollowerId, remoteTargetId);
    if (!request) return false;
    await tx.relationships.deleteFollowRequest(localFollowerId, remoteTargetId);
    await tx.relationships.follow({ id: await tx.nextId(), accountId: localFollowerId, targetAccountId: remoteTargetId, ...request, now: deps.clock.now() });
    await followedInFeeds(tx, localFollowerId);
    return true;
  });
  if (accepted) await forgetAccounts(deps.cache, [localFollowerId, remoteTargetId]);
  return accepted;
}

/**
 * The remote account rejected a local account's request, or ended an accepted follow (Mastodon's Reject of a
 * Follow does both): the request or the follow goes, with its effect on the follower's feeds.
 */
export async function receiveReject(deps: InboundDeps, input: { localFollowerId: bigint; remoteTargetId: bigint }): Promise<boolean> {
  const ended = await deps.db.transaction((tx) => endFollow(tx, input.localFollowerId, input.remoteTargetId));
  if (ended) await forgetAccounts(deps.cache, [input.localFollowerId, input.remoteTargetId]);
  return ended;
}

/** Undo of a Follow: the remote follower's follow or pending request goes, with its notification. */
export async function receiveUndoFollow(deps: InboundDeps, input: { followerId: bigint; targetId: bigint }): Promise<boolean> {
  const ended = await deps.db.transaction((tx) => endFollow(tx, input.followerId, input.targetId));
  if (ended) await forgetAccounts(deps.cache, [input.followerId, input.targetId]);
  return ended;
}

/**
 * A remote account blocks a local one: as blockAccount, follows and requests both ways end and the block is
 * recorded (the local account sees `blocked_by`); nothing goes back out. Repeats change nothing.
 */
export async function receiveBlock(deps: InboundDeps, input: { accountId: bigint; targetId: bigint }): Promise<boolean> {
  const accounts = await deps.db.repos.accounts.findByIds([input.accountId, input.targetId]);
  const blocker = accounts.find((a) => a.id === input.accountId);
  const target = accounts.find((a) => a.id === input.targetId);
  if (!blocker || blocker.domain === null || !target || target.domain !== null) return false;
  await blockAccount(relationshipDeps(deps), input.accountId, input.targetId);
  return true;
}

/** Undo of a Block. */
export async function receiveUndoBlock(deps: InboundDeps, input: { accountId: bigint; targetId: bigint }): Promise<void> {
  const blocker = await deps.db.repos.accounts.findById(input.accountId);
  if (!blocker || blocker.domain === null) return;
  await unblockAccount(relationshipDeps(deps), input.accountId, input.targetId);
  await forgetAccounts(deps.cache, [input.accountId, input.targetId]);
}
