import { err, ok, type Result } from "../../domain/result.ts";
import type { RowPage } from "../../ports/repositories/relationships.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { savedStatuses, type SavedStatusesPage } from "./favourite.ts";
import { findProperStatus } from "./status-visibility.ts";

/** Bookmarks a status the account may see (a boost's original); bookmarking again changes nothing. */
export async function bookmarkStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const found = await findProperStatus(deps, statusId, accountId);
  if (!found) return err({ kind: "not_found" });
  await deps.db.transaction(async (tx) => {
    await tx.interactions.bookmark(await tx.nextId(), accountId, found.status.id, deps.clock.now());
  });
  return ok(found.status);
}

/**
 * Removes a bookmark. A bookmarked status stays reachable even if it is no longer visible to the account (as
 * Mastodon's controller answers); otherwise it must be visible.
 */
export async function unbookmarkStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const named = await deps.db.repos.statuses.findById(statusId);
  const target = named?.reblogOfId != null ? await deps.db.repos.statuses.findById(named.reblogOfId) : named;
  if (!target) return err({ kind: "not_found" });
  const removed = await deps.db.transaction((tx) => tx.interactions.unbookmark(accountId, target.id));
  if (!removed && !(await findProperStatus(deps, statusId, accountId))) return err({ kind: "not_found" });
  return ok(target);
}

/** GET /api/v1/bookmarks: the account's bookmarks, newest bookmark first. */
export async function bookmarksPage(deps: StatusDeps, accountId: bigint, page: RowPage): Promise<SavedStatusesPage> {
  return savedStatuses(deps, accountId, await deps.db.repos.interactions.listBookmarks(accountId, page));
}
