import { err, ok, type Result } from "../../domain/result.ts";
import type { ListedStatus } from "../../ports/repositories/interactions.ts";
import type { RowPage } from "../../ports/repositories/relationships.ts";
import type { Tx } from "../../ports/database.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { federate } from "../federation/outbound.ts";
import { notify, withdrawNotifications } from "../notifications/notify.ts";
import type { AccountPage } from "../relationships/lists.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";
import { findProperStatus, visibleAmong } from "./status-visibility.ts";

/**
 * Favourites a status the account may see (a boost's original, as Mastodon acts on the proper status), with
 * Mastodon's StatusPolicy#favourite?: not a status whose author the account blocks. The row, the count and the
 * author's notification land in one transaction; favouriting again changes nothing.
 */
export async function favouriteStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const found = await findProperStatus(deps, statusId, accountId);
  if (!found) return err({ kind: "not_found" });
  const { status } = found;
  if (status.accountId !== accountId && (await deps.db.repos.relationships.blocksBetween(accountId, status.accountId)).aBlocksB)
    return err({ kind: "forbidden" });
  const now = deps.clock.now();
  // Only a remote author learns of a like (Mastodon sends Like to the status's author alone).
  const remoteAuthor = found.author.domain !== null;
  await deps.db.transaction(async (tx) => {
    if (!(await addFavourite(tx, accountId, status, now))) return;
    if (remoteAuthor) await federate(tx, { type: "like", accountId: String(accountId), statusId: String(status.id) });
  });
  return ok((await deps.db.repos.statuses.findById(status.id)) ?? status);
}

/**
 * The favourite row, its count and the author's notification, in `tx`; false (and nothing written) when the
 * account had favourited the status already. The API and an incoming Like both come here.
 */
export async function addFavourite(tx: Tx, accountId: bigint, status: StatusRecord, now: number): Promise<boolean> {
  if (!(await tx.interactions.favourite(await tx.nextId(), accountId, status.id, now))) return false;
  await notify(tx, now, [{ type: "favourite", recipientId: status.accountId, fromAccountId: accountId, statusId: status.id }]);
  return true;
}

/** Removes a favourite and its notification in `tx`; false when there was none. */
export async function removeFavourite(tx: Tx, accountId: bigint, status: StatusRecord): Promise<boolean> {
  if (!(await tx.interactions.unfavourite(accountId, status.id))) return false;
  await withdrawNotifications(tx, { type: "favourite", fromAccountId: accountId, recipientId: status.accountId, statusId: status.id });
  return true;
}

/**
 * Takes a favourite back and withdraws its notification. A status the account favourited stays reachable even
 * if it is no longer visible to them (as Mastodon's controller answers); otherwise it must be visible.
 */
export async function unfavouriteStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const named = await deps.db.repos.statuses.findById(statusId);
  const target = named?.reblogOfId != null ? await deps.db.repos.statuses.findById(named.reblogOfId) : named;
  if (!target) return err({ kind: "not_found" });
  const author = await deps.db.repos.accounts.findById(target.accountId);
  const removed = await deps.db.transaction(async (tx) => {
    if (!(await removeFavourite(tx, accountId, target))) return false;
    if (author && author.domain !== null) await federate(tx, { type: "undo-like", accountId: String(accountId), statusId: String(target.id) });
    return true;
  });
  if (!removed && !(await findProperStatus(deps, statusId, accountId))) return err({ kind: "not_found" });
  return ok((await deps.db.repos.statuses.findById(target.id)) ?? target);
}

/** The accounts that favourited a status the viewer may see (null when they may not), as Mastodon lists them. */
export async function favouritedByPage(deps: StatusDeps, viewerId: bigint | null, statusId: bigint, page: RowPage): Promise<AccountPage | null> {
  const found = await findVisibleStatus(deps, statusId, viewerId);
  if (!found) return null;
  const rows = await deps.db.repos.interactions.favouritedBy(found.status.id, page, viewerId, deps.clock.now());
  const accounts = await deps.db.repos.accounts.findByIds([...new Set(rows.map((r) => r.accountId))]);
  return { rows, accounts: new Map(accounts.map((a) => [a.id, a])) };
}

/** A page of saved statuses (favourites or bookmarks): the rows that page it and the statuses still visible. */
export interface SavedStatusesPage {
  readonly rows: readonly ListedStatus[];
  /** In row order, only those the viewer may still see. */
  readonly statuses: readonly StatusRecord[];
}

/** Loads the statuses of a page of favourite or bookmark rows, dropping those no longer visible to the owner. */
export async function savedStatuses(deps: StatusDeps, accountId: bigint, rows: readonly ListedStatus[]): Promise<SavedStatusesPage> {
  const byId = new Map((await deps.db.repos.statuses.findByIds(rows.map((r) => r.statusId))).map((s) => [s.id, s]));
  const ordered = rows.map((r) => byId.get(r.statusId)).filter((s): s is StatusRecord => s !== undefined);
  return { rows, statuses: await visibleAmong(deps, accountId, ordered, { context: "direct" }) };
}

/** GET /api/v1/favourites: the account's favourites, newest favourite first. */
export async function favouritesPage(deps: StatusDeps, accountId: bigint, page: RowPage): Promise<SavedStatusesPage> {
  return savedStatuses(deps, accountId, await deps.db.repos.interactions.listFavourites(accountId, page));
}
