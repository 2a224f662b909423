import { defaultVisibility, type Visibility } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { RowPage } from "../../ports/repositories/relationships.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { federate } from "../federation/outbound.ts";
import { notify, withdrawNotifications } from "../notifications/notify.ts";
import type { AccountPage } from "../relationships/lists.ts";
import { fanOutStatusJob, removeFromFeedsJob } from "../timelines/feed-jobs.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";
import { countsTowardsProfile } from "./status-counters.ts";
import { findProperStatus } from "./status-visibility.ts";

/** The visibilities a boost may be given (Mastodon's reblog `visibility` parameter). */
export const REBLOG_VISIBILITIES: readonly Visibility[] = ["public", "unlisted", "private"];

async function liveBoost(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<StatusRecord | null> {
  const id = await deps.db.repos.interactions.findReblogId(accountId, statusId);
  return id === null ? null : deps.db.repos.statuses.findById(id);
}

/**
 * Boosts a status, with Mastodon's StatusPolicy#reblog?: not a direct status, a private one only by its author,
 * not a status whose author the account blocks. A private status's boost stays private; others take the
 * requested visibility or the account's default. Boosting again answers the existing boost. The boost row, the
 * counters, the notification and the fan-out job land in one transaction. Returns the boost.
 */
export async function reblogStatus(
  deps: StatusDeps,
  accountId: bigint,
  statusId: bigint,
  requested?: Visibility,
): Promise<Result<StatusRecord, StatusError>> {
  const found = await findProperStatus(deps, statusId, accountId);
  if (!found) return err({ kind: "not_found" });
  const { status } = found;
  if (status.visibility === "direct" || (status.visibility === "private" && status.accountId !== accountId)) return err({ kind: "forbidden" });
  if (status.accountId !== accountId && (await deps.db.repos.relationships.blocksBetween(accountId, status.accountId)).aBlocksB)
    return err({ kind: "forbidden" });
  const existing = await liveBoost(deps, accountId, status.id);
  if (existing) return ok(existing);
  const booster = await deps.db.repos.accounts.findById(accountId);
  if (!booster) return err({ kind: "not_found" });
  const visibility = status.visibility === "private" ? "private" : (requested ?? defaultVisibility(booster.user?.settings ?? {}, booster.locked));
  const now = deps.clock.now();
  let id: bigint;
  try {
    id = await deps.db.transaction(async (tx) => {
      const id = await insertBoost(tx, { accountId, original: status, visibility, now });
      if (booster.domain === null && (found.author.domain !== null || (await tx.federationRecipients.hasRemoteFollowers(accountId))))
        await federate(tx, { type: "announce", statusId: String(id) });
      return id;
    });
  } catch (error) {
    // A concurrent boost by the same account won the unique index: answer that one.
    const winner = await liveBoost(deps, accountId, status.id);
    if (winner) return ok(winner);
    throw error;
  }
  await forgetAccounts(deps.cache, [accountId]);
  const boost = await deps.db.repos.statuses.findById(id);
  return boost ? ok(boost) : err({ kind: "not_found" });
}

/**
 * Writes a boost of `original` in `tx`: its status row (a remote one with its Announce's id), the counters, the
 * notification and the fan-out job. The API and an incoming Announce both come here. Returns the boost's id.
 */
export async function insertBoost(
  tx: Tx,
  input: { accountId: bigint; original: StatusRecord; visibility: Visibility; now: number; uri?: string | null },
): Promise<bigint> {
  const { accountId, original, visibility, now } = input;
  const id = await tx.nextId();
  await tx.statuses.create({
    id, accountId, text: "", spoilerText: "", visibility, sensitive: false, language: null,
    inReplyToId: null, inReplyToAccountId: null, applicationId: null, reblogOfId: original.id, conversationId: null, now, uri: input.uri ?? null,
  });
  await tx.interactions.addReblogs(original.id, 1);
  if (countsTowardsProfile(visibility)) await tx.statuses.addAccountStatuses(accountId, 1, now);
  await notify(tx, now, [{ type: "reblog", recipientId: original.accountId, fromAccountId: accountId, statusId: original.id }]);
  await tx.enqueue([jobRequest(fanOutStatusJob, { statusId: String(id) })]);
  return id;
}

/**
 * Removes one boost row in `tx`: marks it deleted, undoes the counters it raised, withdraws its notification and
 * takes it out of feeds. False when it was already gone. Unreblog and deleting statuses both come here.
 */
export async function removeBoost(tx: Tx, boost: { id: bigint; accountId: bigint; reblogOfId: bigint; visibility: Visibility }, now: number, originalAuthorId?: bigint): Promise<boolean> {
  if (!(await tx.statuses.softDelete(boost.id, now))) return false;
  await tx.interactions.addReblogs(boost.reblogOfId, -1);
  if (countsTowardsProfile(boost.visibility)) await tx.statuses.addAccountStatuses(boost.accountId, -1);
  await withdrawNotifications(tx, { type: "reblog", fromAccountId: boost.accountId, recipientId: originalAuthorId, statusId: boost.reblogOfId });
  await tx.enqueue([jobRequest(removeFromFeedsJob, { statusId: String(boost.id) })]);
  return true;
}

/**
 * Deletes every live boost of a status that is being deleted (in the deleting transaction), as Mastodon's
 * RemoveStatusService removes reblogs. Returns the boosters, whose cached counts changed.
 */
export async function removeBoostsOf(tx: Tx, status: StatusRecord, now: number): Promise<bigint[]> {
  const boosters: bigint[] = [];
  for (const id of (await tx.interactions.reblogIdsOf(status.id)).map((b) => b.id)) {
    const boost = await tx.statuses.findById(id);
    if (!boost || boost.reblogOfId === null) continue;
    if (await removeBoost(tx, { ...boost, reblogOfId: boost.reblogOfId }, now, status.accountId)) boosters.push(boost.accountId);
  }
  return boosters;
}

/**
 * Undoes the account's boost of a status. With no boost the status must be visible (404 otherwise); an existing
 * boost is removed even if the original has become invisible. Returns the original.
 */
export async function unreblogStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const named = await deps.db.repos.statuses.findById(statusId);
  const original = named?.reblogOfId != null ? await deps.db.repos.statuses.findById(named.reblogOfId) : named;
  if (!original) return err({ kind: "not_found" });
  const boost = await liveBoost(deps, accountId, original.id);
  if (!boost) {
    if (!(await findProperStatus(deps, statusId, accountId))) return err({ kind: "not_found" });
    return ok(original);
  }
  const accounts = await deps.db.repos.accounts.findByIds([accountId, original.accountId]);
  const booster = accounts.find((a) => a.id === accountId);
  const originalRemote = accounts.some((a) => a.id === original.accountId && a.domain !== null);
  await deps.db.transaction(async (tx) => {
    if (!(await removeBoost(tx, { ...boost, reblogOfId: original.id }, deps.clock.now(), original.accountId))) return;
    if (booster?.domain === null && (originalRemote || (await tx.federationRecipients.hasRemoteFollowers(accountId))))
      await federate(tx, { type: "undo-announce", statusId: String(boost.id), accountId: String(accountId), reblogOfId: String(original.id) });
  });
  await forgetAccounts(deps.cache, [accountId]);
  return ok((await deps.db.repos.statuses.findById(original.id)) ?? original);
}

/** The accounts with a public or unlisted boost of a status the viewer may see (null when they may not). */
export async function rebloggedByPage(deps: StatusDeps, viewerId: bigint | null, statusId: bigint, page: RowPage): Promise<AccountPage | null> {
  const found = await findVisibleStatus(deps, statusId, viewerId);
  if (!found) return null;
  const rows = await deps.db.repos.interactions.rebloggedBy(found.status.id, page, viewerId, deps.clock.now());
  const accounts = await deps.db.repos.accounts.findByIds([...new Set(rows.map((r) => r.accountId))]);
  return { rows, accounts: new Map(accounts.map((a) => [a.id, a])) };
}
