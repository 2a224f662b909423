import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { NotificationPage, NotificationRequestRecord } from "../../ports/repositories/notifications.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { visibleStatusesFor, type NotificationDeps } from "./read-notifications.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { streamNotificationsMergedJob } from "../streaming/stream-jobs.ts";

/** Requests ready to render: their senders and the last statuses the viewer may still see. */
export interface RequestsView {
  readonly requests: readonly NotificationRequestRecord[];
  readonly accounts: ReadonlyMap<bigint, AccountRecord>;
  readonly statuses: ReadonlyMap<bigint, StatusRecord>;
}

async function viewRequests(deps: NotificationDeps, viewerId: bigint, requests: readonly NotificationRequestRecord[]): Promise<RequestsView> {
  const accounts = await deps.db.repos.accounts.findByIds([...new Set(requests.map((r) => r.fromAccountId))]);
  const accountMap = new Map(accounts.map((a) => [a.id, a]));
  const statuses = await visibleStatusesFor(
    deps,
    viewerId,
    requests.map((r) => r.lastStatusId).filter((id): id is bigint => id !== null),
  );
  return { requests: requests.filter((r) => accountMap.has(r.fromAccountId)), accounts: accountMap, statuses };
}

/** A page of the viewer's notification requests, newest first, with the ids the Link header pages by. */
export async function listRequests(
  deps: NotificationDeps,
  viewerId: bigint,
  page: NotificationPage,
): Promise<RequestsView & { rawKeys: { newest: bigint; oldest: bigint } | null }> {
  const rows = await deps.db.repos.notifications.listRequests(viewerId, page);
  const rawKeys = rows.length > 0 ? { newest: rows[0]!.id, oldest: rows[rows.length - 1]!.id } : null;
  return { ...(await viewRequests(deps, viewerId, rows)), rawKeys };
}

/** One of the viewer's requests, or null. */
export async function findRequest(deps: NotificationDeps, viewerId: bigint, id: bigint): Promise<RequestsView | null> {
  const rows = await deps.db.repos.notifications.findRequests(viewerId, [id]);
  if (rows.length === 0) return null;
  const view = await viewRequests(deps, viewerId, rows);
  return view.requests.length > 0 ? view : null;
}

/**
 * Accepts requests (Mastodon's AcceptNotificationRequestService): the sender's notifications are let through
 * from now on, its filtered ones join the main list, and the request goes. Ids that are not the viewer's
 * requests are skipped. Returns how many were accepted.
 */
export async function acceptRequests(deps: NotificationDeps, viewerId: bigint, ids: readonly bigint[]): Promise<number> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const found = await tx.notifications.findRequests(viewerId, ids);
    for (const r of found) {
      await tx.notifications.permit(await tx.nextId(), viewerId, r.fromAccountId, now);
      await tx.notifications.unfilterFrom(viewerId, r.fromAccountId);
      await tx.notifications.deleteRequest(viewerId, r.id);
    }
    // Mastodon tells open streams once the merge is done, so clients refetch their notifications.
    if (found.length > 0) await tx.enqueue([jobRequest(streamNotificationsMergedJob, { accountId: String(viewerId) })]);
    return found.length;
  });
}

/**
 * Dismisses requests (Mastodon's DismissNotificationRequestService): the sender's filtered notifications are
 * deleted with the request; later ones are filtered again. Returns how many were dismissed.
 */
export async function dismissRequests(deps: NotificationDeps, viewerId: bigint, ids: readonly bigint[]): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const found = await tx.notifications.findRequests(viewerId, ids);
    for (const r of found) {
      await tx.notifications.deleteFilteredFrom(viewerId, r.fromAccountId);
      await tx.notifications.deleteRequest(viewerId, r.id);
    }
    return found.length;
  });
}

/**
 * Whether the notifications of accepted requests are all back in the main list. Herd merges them in the
 * accepting transaction, so this is true unless a filtered notification from an accepted sender remains.
 */
export async function requestsMerged(deps: NotificationDeps, viewerId: bigint): Promise<boolean> {
  return !(await deps.db.repos.notifications.hasUnmergedRequests(viewerId));
}
