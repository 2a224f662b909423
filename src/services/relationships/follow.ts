import { isLanguageCode } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Tx } from "../../ports/database.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { FollowOptionChanges } from "../../ports/repositories/relationships.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { federate } from "../federation/outbound.ts";
import { notify, withdrawNotifications } from "../notifications/notify.ts";
import { followedInFeeds, unfollowedInFeeds } from "../timelines/follow-feeds.ts";
import type { RelationshipDeps, RelationshipError } from "./deps.ts";

/** Mastodon's follow limit: past 7,500 follows, one may follow at most 10% more accounts than follow back. */
export const FOLLOW_LIMIT = 7_500;
const FOLLOW_LIMIT_RATIO = 1.1;

/** Options of POST /accounts/:id/follow; undefined means "not given" (new follows get the defaults). */
export interface FollowInput {
  readonly reblogs?: boolean;
  readonly notify?: boolean;
  /** Empty or null: every language. */
  readonly languages?: readonly string[] | null;
}

export type FollowOutcome = "following" | "requested";

/** An account others can follow or see: it exists, is not suspended, and (if local) is confirmed and approved. */
export function isAvailable(account: AccountRecord | null | undefined): account is AccountRecord {
  if (!account || account.suspendedAt !== null) return false;
  return account.user === null || (account.user.confirmed && account.user.approved);
}

function changesOf(input: FollowInput): FollowOptionChanges {
  return {
    showReblogs: input.reblogs,
    notify: input.notify,
    languages: input.languages === undefined ? undefined : input.languages && input.languages.length > 0 ? input.languages : null,
  };
}

/**
 * Follows `targetId`, or asks to when the target approves followers by hand (or is remote, or the follower is
 * silenced). Following again only changes the options given. Refused when either account blocks the other, when
 * the follower blocks the target's domain, for oneself, and past the follow limit.
 */
export async function followAccount(deps: RelationshipDeps, sourceId: bigint, targetId: bigint, input: FollowInput): Promise<Result<FollowOutcome, RelationshipError>> {
  if (sourceId === targetId) return err({ kind: "not_found" });
  if (input.languages && !input.languages.every(isLanguageCode))
    return err({ kind: "invalid", message: "Validation failed: Languages contains an unknown language code" });
  const result = await deps.db.transaction(async (tx): Promise<Result<FollowOutcome, RelationshipError>> => {
    const accounts = await tx.accounts.findByIds([sourceId, targetId]);
    const source = accounts.find((a) => a.id === sourceId);
    const target = accounts.find((a) => a.id === targetId);
    if (!source || !isAvailable(target)) return err({ kind: "not_found" });
    const blocks = await tx.relationships.blocksBetween(sourceId, targetId);
    if (blocks.aBlocksB || blocks.bBlocksA) return err({ kind: "forbidden" });
    if (target.domain !== null && (await tx.relationships.isDomainBlocked(sourceId, target.domain.toLowerCase())))
      return err({ kind: "forbidden" });

    const changes = changesOf(input);
    if (await tx.relationships.findFollow(sourceId, targetId)) {
      await tx.relationships.updateFollow(sourceId, targetId, changes);
      return ok("following");
    }
    if (await tx.relationships.findFollowRequest(sourceId, targetId)) {
      await tx.relationships.updateFollowRequest(sourceId, targetId, changes);
      return ok("requested");
    }
    if (source.followingCount >= FOLLOW_LIMIT && source.followingCount >= source.followersCount * FOLLOW_LIMIT_RATIO)
      return err({ kind: "invalid", message: `Validation failed: You cannot follow more than ${FOLLOW_LIMIT} accounts until more accounts follow you` });

    const row = {
      id: await tx.nextId(),
      accountId: sourceId,
      targetAccountId: targetId,
      showReblogs: input.reblogs ?? true,
      notify: input.notify ?? false,
      languages: changes.languages ?? null,
      now: deps.clock.now(),
    };
    const needsApproval = target.locked || target.domain !== null || source.silencedAt !== null;
    if (needsApproval) {
      if (await tx.relationships.requestFollow(row)) {
        await notify(tx, row.now, [{ type: "follow_request", recipientId: targetId, fromAccountId: sourceId }]);
        // A remote account's request waits for its server's Accept.
        if (target.domain !== null && source.domain === null) await federate(tx, { type: "follow", ...pair(sourceId, targetId) });
      }
      return ok("requested");
    }
    if (await tx.relationships.follow(row)) {
      await notify(tx, row.now, [{ type: "follow", recipientId: targetId, fromAccountId: sourceId }]);
      await followedInFeeds(tx, sourceId);
    }
    return ok("following");
  });
  if (result.ok) await forgetAccounts(deps.cache, [sourceId, targetId]);
  return result;
}

/** The ids of an outgoing event about `accountId`'s follow (or block) of `targetAccountId`. */
export function pair(accountId: bigint, targetAccountId: bigint): { accountId: string; targetAccountId: string } {
  return { accountId: String(accountId), targetAccountId: String(targetAccountId) };
}

/** Whether `localId` is local and `remoteId` remote: only then does a relationship change go out. */
export async function localToRemote(tx: Tx, localId: bigint, remoteId: bigint): Promise<boolean> {
  const accounts = await tx.accounts.findByIds([localId, remoteId]);
  return accounts.some((a) => a.id === localId && a.domain === null) && accounts.some((a) => a.id === remoteId && a.domain !== null);
}

/**
 * In `tx`: ends `sourceId`'s follow of `targetId` (its notification and its effect on the follower's feeds), or
 * withdraws the pending request. False when there was neither. The API and incoming Undo/Reject come here.
 */
export async function endFollow(tx: Tx, sourceId: bigint, targetId: bigint): Promise<boolean> {
  if (await tx.relationships.unfollow(sourceId, targetId)) {
    await withdrawNotifications(tx, { type: "follow", fromAccountId: sourceId, recipientId: targetId });
    await unfollowedInFeeds(tx, sourceId, targetId);
    return true;
  }
  if (await tx.relationships.deleteFollowRequest(sourceId, targetId)) {
    await withdrawNotifications(tx, { type: "follow_request", fromAccountId: sourceId, recipientId: targetId });
    return true;
  }
  return false;
}

/** Stops following `targetId`, or withdraws a pending request. Not following is not an error. */
export async function unfollowAccount(deps: RelationshipDeps, sourceId: bigint, targetId: bigint): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if ((await endFollow(tx, sourceId, targetId)) && (await localToRemote(tx, sourceId, targetId)))
      await federate(tx, { type: "undo-follow", ...pair(sourceId, targetId) });
  });
  await forgetAccounts(deps.cache, [sourceId, targetId]);
}

/** Makes `followerId` stop following `accountId` (the account's own choice). */
export async function removeFromFollowers(deps: RelationshipDeps, accountId: bigint, followerId: bigint): Promise<void> {
  const removed = await deps.db.transaction(async (tx) => {
    const follow = await tx.relationships.findFollow(followerId, accountId);
    const gone = await tx.relationships.unfollow(followerId, accountId);
    // The follow's notification goes with it, as Mastodon destroys a notification with its activity.
    if (gone) await withdrawNotifications(tx, { type: "follow", fromAccountId: followerId, recipientId: accountId });
    if (gone) await unfollowedInFeeds(tx, followerId, accountId);
    // The follower's server learns that the follow ended (Mastodon sends a Reject of the Follow).
    if (gone && (await localToRemote(tx, accountId, followerId)))
      await federate(tx, { type: "reject-follow", ...pair(followerId, accountId), followUri: follow?.uri ?? null });
    return gone;
  });
  if (removed) await forgetAccounts(deps.cache, [accountId, followerId]);
}

/** Accepts a pending request from `requesterId`: the request becomes a follow with its options. */
export async function authorizeFollowRequest(deps: RelationshipDeps, accountId: bigint, requesterId: bigint): Promise<Result<void, RelationshipError>> {
  const found = await deps.db.transaction(async (tx) => {
    const request = await tx.relationships.findFollowRequest(requesterId, accountId);
    if (!request) return false;
    await tx.relationships.deleteFollowRequest(requesterId, accountId);
    await withdrawNotifications(tx, { type: "follow_request", fromAccountId: requesterId, recipientId: accountId });
    await tx.relationships.follow({ id: await tx.nextId(), accountId: requesterId, targetAccountId: accountId, ...request, now: deps.clock.now() });
    await followedInFeeds(tx, requesterId);
    if (await localToRemote(tx, accountId, requesterId))
      await federate(tx, { type: "accept-follow", ...pair(requesterId, accountId), followUri: request.uri ?? null });
    return true;
  });
  if (!found) return err({ kind: "not_found" });
  await forgetAccounts(deps.cache, [accountId, requesterId]);
  return ok(undefined);
}

/** Declines a pending request from `requesterId`. */
export async function rejectFollowRequest(deps: RelationshipDeps, accountId: bigint, requesterId: bigint): Promise<Result<void, RelationshipError>> {
  const found = await deps.db.transaction(async (tx) => {
    const request = await tx.relationships.findFollowRequest(requesterId, accountId);
    const deleted = await tx.relationships.deleteFollowRequest(requesterId, accountId);
    if (deleted) await withdrawNotifications(tx, { type: "follow_request", fromAccountId: requesterId, recipientId: accountId });
    if (deleted && (await localToRemote(tx, accountId, requesterId)))
      await federate(tx, { type: "reject-follow", ...pair(requesterId, accountId), followUri: request?.uri ?? null });
    return deleted;
  });
  if (!found) return err({ kind: "not_found" });
  await forgetAccounts(deps.cache, [accountId, requesterId]);
  return ok(undefined);
}
