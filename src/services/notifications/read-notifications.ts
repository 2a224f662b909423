import { NOTIFICATION_TYPES } from "../../domain/notifications.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Cache } from "../../ports/cache.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type {
  GroupedTypes,
  NotificationFilter,
  NotificationPage,
  NotificationRecord,
} from "../../ports/repositories/notifications.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { applyFilters } from "../filters/apply-filters.ts";
import { visibleAmong } from "../statuses/status-visibility.ts";

export interface NotificationDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** Where the viewer's filters are cached (optional: without it they are read from the database). */
  readonly cache?: Cache;
}


/** Mastodon's `types[]`/`exclude_types[]`: unknown names match nothing (they are types Herd never records). */
export function typeFilter(types: readonly string[], excludeTypes: readonly string[]): Pick<NotificationFilter, "types" | "excludeTypes"> {
  const known = (names: readonly string[]) => NOTIFICATION_TYPES.filter((t) => names.includes(t));
  return { types: types.length > 0 ? known(types) : undefined, excludeTypes: known(excludeTypes) };
}

/** Notifications ready to render: the page's statuses and accounts, and the filter results of warned statuses. */
export interface NotificationsView {
  readonly notifications: readonly NotificationRecord[];
  readonly statuses: ReadonlyMap<bigint, StatusRecord>;
  readonly accounts: ReadonlyMap<bigint, AccountRecord>;
  /** Mastodon FilterResult entities per status id, from `warn` and `blur` filters in the notifications context. */
  readonly filtered: ReadonlyMap<bigint, readonly Record<string, unknown>[]>;
}

/**
 * Of `statusIds`, the statuses `viewerId` may still see, through the one visibility policy in its "feed"
 * context (notifications are a feed: the viewer's own blocks hide too). Deleted statuses and those of
 * unavailable authors are left out.
 */
export async function visibleStatusesFor(deps: NotificationDeps, viewerId: bigint, statusIds: readonly bigint[]): Promise<Map<bigint, StatusRecord>> {
  const ids = [...new Set(statusIds)];
  if (ids.length === 0) return new Map();
  const statuses = await deps.db.repos.statuses.findByIds(ids);
  const visible = await visibleAmong(deps, viewerId, statuses, { context: "feed" });
  return new Map(visible.map((s) => [s.id, s]));
}

/**
 * Prepares notifications for rendering: drops those whose status is gone or no longer visible to the viewer,
 * and those a `hide` filter (context "notifications") matches; loads senders and statuses for the whole page.
 */
export async function viewNotifications(deps: NotificationDeps, viewerId: bigint, records: readonly NotificationRecord[]): Promise<NotificationsView> {
  const statusIds = records.map((n) => n.statusId).filter((id): id is bigint => id !== null);
  const visible = await visibleStatusesFor(deps, viewerId, statusIds);
  const verdicts = await applyFilters(deps, viewerId, "notifications", [...visible.values()]);
  const shown = records.filter((n) => n.statusId === null || (visible.has(n.statusId) && !verdicts.hidden.has(n.statusId)));
  const accounts = await deps.db.repos.accounts.findByIds([...new Set(shown.map((n) => n.fromAccountId))]);
  const accountMap = new Map(accounts.map((a) => [a.id, a]));
  return {
    notifications: shown.filter((n) => accountMap.has(n.fromAccountId)),
    statuses: visible,
    accounts: accountMap,
    filtered: verdicts.filtered,
  };
}

/** A page of the viewer's notifications (v1), newest first; `rawKeys` are the ids the Link header pages by. */
export async function listNotifications(
  deps: NotificationDeps,
  viewerId: bigint,
  filter: NotificationFilter,
  page: NotificationPage,
): Promise<{ view: NotificationsView; rawKeys: { newest: bigint; oldest: bigint } | null }> {
  const records = await deps.db.repos.notifications.list(viewerId, filter, page);
  const rawKeys = records.length > 0 ? { newest: records[0]!.id, oldest: records[records.length - 1]!.id } : null;
  return { view: await viewNotifications(deps, viewerId, records), rawKeys };
}

/** One of the viewer's notifications (filtered ones too), or null when it is gone or its status is hidden. */
export async function findNotification(deps: NotificationDeps, viewerId: bigint, id: bigint): Promise<NotificationsView | null> {
  const found = await deps.db.repos.notifications.findById(viewerId, id);
  if (!found) return null;
  const view = await viewNotifications(deps, viewerId, [found]);
  return view.notifications.length > 0 ? view : null;
}

/** Mastodon's unread_count default and cap. */
export const UNREAD_COUNT = { limit: 100, max: 1_000 };

async function notificationsMarker(deps: NotificationDeps, viewerId: bigint): Promise<bigint> {
  const [marker] = await deps.db.repos.notifications.findMarkers(viewerId, ["notifications"]);
  return marker?.lastReadId ?? 0n;
}

/** How many notifications are newer than the viewer's notifications marker (all, without one), capped at `limit`. */
export async function unreadCount(deps: NotificationDeps, viewerId: bigint, filter: NotificationFilter, limit: number): Promise<number> {
  return deps.db.repos.notifications.countAfter(viewerId, await notificationsMarker(deps, viewerId), filter, limit);
}

/** As unreadCount, counting notification groups (v2). */
export async function unreadGroupCount(deps: NotificationDeps, viewerId: bigint, filter: NotificationFilter, grouped: GroupedTypes, limit: number): Promise<number> {
  return deps.db.repos.notifications.countGroupsAfter(viewerId, await notificationsMarker(deps, viewerId), filter, grouped, limit);
}
