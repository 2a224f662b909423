import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { MarkerRecord, NotificationPolicyRecord, NotificationRecord, NotificationRequestRecord } from "../../../ports/repositories/notifications.ts";
import type { NotificationGroupView } from "../../../services/notifications/grouped-notifications.ts";
import { REQUEST_COUNT_CAP } from "../../../services/notifications/policy.ts";
import { renderAccount, type AccountRenderContext } from "./account.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** The stored group key, or Mastodon's stand-in for ungrouped notifications. */
export function groupKeyOf(n: NotificationRecord): string {
  return n.groupKey ?? `ungrouped-${n.id}`;
}

/**
 * Mastodon's Notification entity. `status` is the rendered status (already checked visible to the recipient),
 * or undefined for types about no status.
 */
export function renderNotification(
  ctx: AccountRenderContext,
  n: NotificationRecord,
  from: AccountRecord,
  status: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: String(n.id),
    type: n.type,
    created_at: iso(n.createdAt),
    group_key: groupKeyOf(n),
    account: renderAccount(ctx, from),
  };
  if (status) out.status = status;
  return out;
}

/** Placeholder prefix for int64 values that must leave as JSON numbers (see int64Json). */
const INT64 = "\u0000int64:";

/**
 * Mastodon renders NotificationGroup.most_recent_notification_id as a JSON number (and the Mastodon iOS app
 * decodes it as Int). Herd's ids are 64-bit, beyond a double's exact range, so the number is written into the
 * JSON text digit for digit rather than through a double.
 */
export function int64Json(body: unknown): string {
  return JSON.stringify(body).replace(/"\\u0000int64:(\d{1,19})"/g, "$1");
}

/** Mastodon's NotificationGroup entity (the page fields only while paging). */
export function renderNotificationGroup(g: NotificationGroupView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    group_key: g.groupKey,
    notifications_count: g.count,
    type: g.head.type,
    most_recent_notification_id: `${INT64}${g.mostRecentId}`,
  };
  if (g.page) {
    out.page_min_id = String(g.page.minId);
    out.page_max_id = String(g.page.maxId);
    out.latest_page_notification_at = iso(g.page.latestAt);
  }
  out.sample_account_ids = g.sampleAccountIds.map(String);
  if (g.head.statusId !== null) out.status_id = String(g.head.statusId);
  return out;
}

/** Mastodon's PartialAccountWithAvatar: just enough for a row of avatars. */
export function renderPartialAccount(ctx: AccountRenderContext, a: AccountRecord): Record<string, unknown> {
  const full = renderAccount(ctx, a);
  return {
    id: full.id,
    acct: full.acct,
    url: full.url,
    avatar: full.avatar,
    avatar_static: full.avatar_static,
    locked: full.locked,
    bot: full.bot,
  };
}

/** Mastodon's v2 NotificationPolicy entity. */
export function renderPolicy(p: NotificationPolicyRecord, pendingRequests: number, pendingNotifications: number): Record<string, unknown> {
  return {
    for_not_following: p.forNotFollowing,
    for_not_followers: p.forNotFollowers,
    for_new_accounts: p.forNewAccounts,
    for_private_mentions: p.forPrivateMentions,
    for_limited_accounts: p.forLimitedAccounts,
    summary: { pending_requests_count: pendingRequests, pending_notifications_count: pendingNotifications },
  };
}

/**
 * Mastodon's NotificationRequest entity; notifications_count is a string there, capped as Mastodon caps it
 * (clients show "100+").
 */
export function renderRequest(
  ctx: AccountRenderContext,
  r: NotificationRequestRecord,
  from: AccountRecord,
  lastStatus: Record<string, unknown> | null,
): Record<string, unknown> {
  return {
    id: String(r.id),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    notifications_count: String(Math.min(r.notificationsCount, REQUEST_COUNT_CAP)),
    account: renderAccount(ctx, from),
    last_status: lastStatus,
  };
}

/** Mastodon's Marker entity. */
export function renderMarker(m: MarkerRecord): Record<string, unknown> {
  return { last_read_id: String(m.lastReadId), version: m.version, updated_at: iso(m.updatedAt) };
}
