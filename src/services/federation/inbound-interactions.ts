import { pollExpired } from "../../domain/polls.ts";
import type { Visibility } from "../../domain/profile.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { isAvailable } from "../relationships/follow.ts";
import { findVisibleStatus } from "../statuses/read-statuses.ts";
import { addFavourite, removeFavourite } from "../statuses/favourite.ts";
import { insertBoost, removeBoost } from "../statuses/reblog.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { InboundDeps } from "./deps.ts";

/** Pins Mastodon shows of a remote account (its featured collection is read whole; a few are enough). */
const MAX_REMOTE_PINS = 20;

/**
 * The status an interaction by `accountId` is about, the original for a boost, when the visibility policy lets
 * that account see it (a remote account cannot like what it could not have received); null otherwise.
 */
async function visibleOriginal(deps: InboundDeps, accountId: bigint, statusId: bigint): Promise<StatusRecord | null> {
  const found = await findVisibleStatus(deps, statusId, accountId);
  if (!found) return null;
  if (found.status.reblogOfId === null) return found.status;
  return (await findVisibleStatus(deps, found.status.reblogOfId, accountId))?.status ?? null;
}

/** Whether `accountId` is a remote account that may act (known, not suspended). */
async function remoteActor(deps: InboundDeps, accountId: bigint): Promise<boolean> {
  const account = await deps.db.repos.accounts.findById(accountId);
  return isAvailable(account) && account.domain !== null;
}

/**
 * A Like: favourites the status as the API does (row, count, the author's notification), refused when the author
 * blocks the liker (Mastodon's StatusPolicy#favourite?) or the status is not visible to them. Liking again
 * changes nothing. Returns whether a favourite was added.
 */
export async function receiveLike(deps: InboundDeps, input: { accountId: bigint; statusId: bigint }): Promise<boolean> {
  if (!(await remoteActor(deps, input.accountId))) return false;
  const status = await visibleOriginal(deps, input.accountId, input.statusId);
  if (!status) return false;
  const blocks = await deps.db.repos.relationships.blocksBetween(input.accountId, status.accountId);
  if (blocks.aBlocksB || blocks.bBlocksA) return false;
  const now = deps.clock.now();
  return deps.db.transaction((tx) => addFavourite(tx, input.accountId, status, now));
}

/** Undo of a Like: the favourite and its notification go. Returns whether there was one. */
export async function receiveUndoLike(deps: InboundDeps, input: { accountId: bigint; statusId: bigint }): Promise<boolean> {
  const named = await deps.db.repos.statuses.findById(input.statusId);
  const status = named?.reblogOfId != null ? await deps.db.repos.statuses.findById(named.reblogOfId) : named;
  if (!status) return false;
  return deps.db.transaction((tx) => removeFavourite(tx, input.accountId, status));
}

/**
 * An Announce: a boost row carrying the Announce's id, with the counters, the author's notification and the
 * fan-out to the booster's local followers, as a local boost. Mastodon's rules apply: no boosts of direct
 * statuses nor of others' private ones, none past a block either way, none of a status the booster may not see.
 * A second delivery (same uri) or a second boost of the same status by the same account is a no-op. Returns the
 * boost's id (the existing one on a repeat), or null when refused.
 */
export async function receiveAnnounce(
  deps: InboundDeps,
  input: { accountId: bigint; statusId: bigint; uri: string; createdAt: number; visibility: Visibility },
): Promise<bigint | null> {
  if (!(await remoteActor(deps, input.accountId))) return null;
  const existing = await deps.db.repos.statuses.findByUri(input.uri);
  if (existing) return existing.accountId === input.accountId && existing.reblogOfId !== null ? existing.id : null;
  if (await deps.db.repos.statuses.uriTaken(input.uri)) return null;
  const original = await visibleOriginal(deps, input.accountId, input.statusId);
  if (!original) return null;
  if (original.visibility === "direct" || (original.visibility === "private" && original.accountId !== input.accountId)) return null;
  const blocks = await deps.db.repos.relationships.blocksBetween(input.accountId, original.accountId);
  if (blocks.aBlocksB || blocks.bBlocksA) return null;
  const already = await deps.db.repos.interactions.findReblogId(input.accountId, original.id);
  if (already !== null) return already;
  // A boost is never more visible than its original; a direct Announce is not a thing Mastodon makes.
  const visibility: Visibility = original.visibility === "private" || input.visibility === "direct" ? "private" : input.visibility;
  const now = deps.clock.now();
  const createdAt = Number.isFinite(input.createdAt) ? Math.min(input.createdAt, now) : now;
  try {
    const id = await deps.db.transaction((tx) => insertBoost(tx, { accountId: input.accountId, original, visibility, now: createdAt, uri: input.uri }));
    await forgetAccounts(deps.cache, [input.accountId]);
    return id;
  } catch (error) {
    // A concurrent delivery won the unique indexes (uri, or one boost per account and status).
    const winner = await deps.db.repos.interactions.findReblogId(input.accountId, original.id);
    if (winner !== null) return winner;
    throw error;
  }
}

/** Undo of an Announce: the boost with that uri, if it is the account's, is removed as an unreblog. */
export async function receiveUndoAnnounce(deps: InboundDeps, input: { accountId: bigint; uri: string }): Promise<boolean> {
  const boost = await deps.db.repos.statuses.findByUri(input.uri);
  if (!boost || boost.accountId !== input.accountId || boost.reblogOfId === null) return false;
  const reblogOfId = boost.reblogOfId;
  const original = await deps.db.repos.statuses.findById(reblogOfId);
  const removed = await deps.db.transaction((tx) => removeBoost(tx, { ...boost, reblogOfId }, deps.clock.now(), original?.accountId));
  if (removed) await forgetAccounts(deps.cache, [input.accountId]);
  return removed;
}

/**
 * A remote account's vote on a local poll (Notes with `name` answering the Question), by option titles, as
 * Mastodon's Create handler records them: only while the poll is open, not by its author, each option at most
 * once per voter, a single-choice poll only once. Titles that name no option are ignored. Returns how many votes
 * were recorded.
 */
export async function receiveVote(deps: InboundDeps, input: { accountId: bigint; statusId: bigint; choiceTitles: readonly string[] }): Promise<number> {
  if (!(await remoteActor(deps, input.accountId))) return 0;
  const found = await findVisibleStatus(deps, input.statusId, input.accountId);
  if (!found || found.author.domain !== null) return 0;
  const poll = (await deps.db.repos.polls.findByStatusIds([found.status.id])).get(found.status.id);
  if (!poll || poll.accountId === input.accountId) return 0;
  const now = deps.clock.now();
  if (pollExpired(poll.expiresAt, now)) return 0;
  const wanted: number[] = [];
  for (const title of input.choiceTitles) {
    const index = poll.options.findIndex((o) => o.title === title);
    if (index >= 0 && !wanted.includes(index)) wanted.push(index);
  }
  if (wanted.length === 0) return 0;
  const earlier = (await deps.db.repos.polls.choicesOf(input.accountId, [poll.id])).get(poll.id) ?? [];
  let chosen = wanted.filter((c) => !earlier.includes(c));
  if (!poll.multiple) chosen = earlier.length > 0 ? [] : chosen.slice(0, 1);
  if (chosen.length === 0) return 0;
  try {
    await deps.db.transaction(async (tx) => {
      if (!(await tx.polls.openForVoting(poll.id, chosen.length, now))) throw new VoteIgnored();
      // The poll's row is locked from here on: a concurrent delivery of the same vote is seen now.
      const existing = (await tx.polls.choicesOf(input.accountId, [poll.id])).get(poll.id) ?? [];
      if (existing.length !== earlier.length) throw new VoteIgnored();
      const votes = [];
      for (const choice of chosen) votes.push({ id: await tx.nextId(), choice });
      await tx.polls.addVotes(poll.id, input.accountId, votes, now);
      await tx.polls.addOptionVotes(poll.id, chosen);
      if (existing.length === 0) await tx.polls.addVoter(poll.id);
    });
  } catch (error) {
    if (error instanceof VoteIgnored) return 0;
    throw error;
  }
  return chosen.length;
}

/** Rolls back a vote that turned out to be late or repeated. */
class VoteIgnored extends Error {}

/**
 * Add/Remove on a remote account's featured collection: pins or unpins one of its own statuses (as Mastodon's
 * handlers do), at most MAX_REMOTE_PINS. Returns whether a pin changed.
 */
export async function receiveFeatured(deps: InboundDeps, input: { accountId: bigint; statusId: bigint; featured: boolean }): Promise<boolean> {
  if (!(await remoteActor(deps, input.accountId))) return false;
  const status = await deps.db.repos.statuses.findById(input.statusId);
  if (!status || status.accountId !== input.accountId || status.reblogOfId !== null) return false;
  if (!input.featured) return deps.db.transaction((tx) => tx.statuses.unpin(input.accountId, status.id));
  if (status.visibility === "direct") return false;
  return deps.db.transaction(async (tx) => {
    await tx.accounts.lockForUpdate(input.accountId);
    if ((await tx.statuses.countPins(input.accountId)) >= MAX_REMOTE_PINS) return false;
    return tx.statuses.pin(await tx.nextId(), input.accountId, status.id, deps.clock.now());
  });
}
