import { z } from "zod";
import { jobRequest, type JobContract } from "../../ports/job-queue.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { endFollow, followAccount, isAvailable, unfollowAccount } from "../relationships/follow.ts";
import { removeStatus } from "../statuses/delete-status.ts";
import { removeFavourite } from "../statuses/favourite.ts";
import type { InboundDeps } from "./deps.ts";
import { relationshipDeps } from "./deps.ts";

/** Rows one cleanup run removes of each kind (statuses, follows), so a big account never holds a long transaction. */
export const ACTOR_CLEANUP_BATCH = 100;
/** Followers a Move carries over per round. */
const MOVE_BATCH = 500;

/**
 * Removes what a deleted remote actor leaves behind, one batch per run, enqueueing itself again until nothing
 * is left. On `ingress`: it is incoming federation work.
 */
export const removeDeletedActorJob: JobContract<{ accountId: string }> = {
  name: "remove-deleted-actor",
  queue: "ingress",
  payload: z.object({ accountId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 8, backoffMs: 5_000 },
};

/**
 * Delete of a remote actor (its server deleted the account), as Mastodon's Delete Person: the account is marked
 * suspended at once (so it vanishes from timelines, notifications and profiles), then its statuses and boosts
 * are removed (feeds, search, counters, like a local delete), its follows both ways and its favourites end, in
 * bounded batches by removeDeletedActorJob. A repeat changes nothing. Returns whether the account was marked now.
 */
export async function receiveActorDeleted(deps: InboundDeps, input: { accountId: bigint }): Promise<boolean> {
  const marked = await deps.db.transaction(async (tx) => {
    if (!(await tx.accounts.suspendRemote(input.accountId, deps.clock.now()))) return false;
    await tx.enqueue([jobRequest(removeDeletedActorJob, { accountId: String(input.accountId) }, { dedupKey: `remove-deleted-actor:${input.accountId}` })]);
    return true;
  });
  if (marked) await forgetAccounts(deps.cache, [input.accountId]);
  return marked;
}

/**
 * One run of removeDeletedActorJob: removes up to a batch of the actor's statuses and of its follows each way.
 * Returns true when more is left (and the next run is enqueued). Does nothing for an account not suspended.
 */
export async function removeDeletedActorBatch(deps: InboundDeps, accountId: bigint): Promise<boolean> {
  const account = await deps.db.repos.accounts.findById(accountId);
  if (!account || account.domain === null || account.suspendedAt === null) return false;
  const repos = deps.db.repos;
  const statuses = await repos.statuses.oldestByAccount(accountId, null, ACTOR_CLEANUP_BATCH);
  const following = await repos.relationships.listAccounts("following", accountId, { limit: ACTOR_CLEANUP_BATCH });
  const followers = await repos.relationships.listAccounts("followers", accountId, { limit: ACTOR_CLEANUP_BATCH });
  const favourites = await repos.interactions.listFavourites(accountId, { limit: ACTOR_CLEANUP_BATCH });
  const favourited = await repos.statuses.findByIds(favourites.map((f) => f.statusId));
  const more = [statuses, following, followers, favourites].some((rows) => rows.length >= ACTOR_CLEANUP_BATCH);
  const touched = new Set<bigint>([accountId]);
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    for (const status of statuses) for (const booster of (await removeStatus(tx, status, now)).boosters) touched.add(booster);
    for (const f of following) if (await endFollow(tx, accountId, f.accountId)) touched.add(f.accountId);
    for (const f of followers) if (await endFollow(tx, f.accountId, accountId)) touched.add(f.accountId);
    // Its likes stop counting, as Mastodon's DeleteAccountService removes them.
    for (const status of favourited) await removeFavourite(tx, accountId, status);
    if (more) await tx.enqueue([jobRequest(removeDeletedActorJob, { accountId: String(accountId) })]);
  });
  await forgetAccounts(deps.cache, [...touched]);
  return more;
}

/**
 * A Move from a remote account to another (Mastodon's ActivityPub::Activity::Move and MoveWorker): honoured
 * only when the target lists the old account's id in its alsoKnownAs. Each local follower of the old account
 * follows the target with the same options (a request, and a Follow sent, when the target is remote; refused
 * where blocks or the follow limit say so) and stops following the old account. Returns how many followers moved.
 */
export async function receiveMove(deps: InboundDeps, input: { accountId: bigint; targetId: bigint }): Promise<number> {
  if (input.accountId === input.targetId) return 0;
  const accounts = await deps.db.repos.accounts.findByIds([input.accountId, input.targetId]);
  const old = accounts.find((a) => a.id === input.accountId);
  const target = accounts.find((a) => a.id === input.targetId);
  if (!old || old.domain === null || old.uri === null || !isAvailable(target)) return 0;
  if (!(target.alsoKnownAs ?? []).includes(old.uri)) return 0;
  // The old profile shows where it went (Mastodon's moved_to_account), whatever the followers' moves come to.
  await deps.db.repos.accounts.setMigration(old.id, { movedToAccountId: target.id }, deps.clock.now());
  await forgetAccounts(deps.cache, [old.id]);
  return moveFollowers(deps, old.id, target.id);
}

/**
 * Moves every local follower of `oldId` to `targetId`: follows the target with the same options (a request, and
 * a Follow sent, when the target is remote; refused where blocks or the follow limit say so) and stops following
 * the old account, in batches. For a remote Move and for a local account's own move alike; the caller checks
 * the alsoKnownAs link. Returns how many followers moved.
 */
export async function moveFollowers(deps: InboundDeps, oldId: bigint, targetId: bigint): Promise<number> {
  const rdeps = relationshipDeps(deps);
  let moved = 0;
  let after: bigint | null = null;
  for (;;) {
    const batch = await deps.db.repos.timelines.localFollowers(oldId, after, MOVE_BATCH);
    for (const f of batch) {
      const options = await deps.db.repos.relationships.findFollow(f.accountId, oldId);
      const followed = await followAccount(rdeps, f.accountId, targetId, {
        reblogs: options?.showReblogs, notify: options?.notify, languages: options?.languages ?? null,
      });
      if (followed.ok) moved++;
      await unfollowAccount(rdeps, f.accountId, oldId);
    }
    if (batch.length < MOVE_BATCH) break;
    after = batch[batch.length - 1].followId;
  }
  return moved;
}
