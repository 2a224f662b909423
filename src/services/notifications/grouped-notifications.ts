import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import { parseId } from "../../domain/ids.ts";
import { GROUPABLE_TYPES } from "../../domain/notifications.ts";
import type { GroupedTypes, NotificationFilter, NotificationPage, NotificationRecord } from "../../ports/repositories/notifications.ts";
import { viewNotifications, type NotificationDeps, type NotificationsView } from "./read-notifications.ts";

/** Mastodon's NotificationGroup::SAMPLE_ACCOUNTS_SIZE. */
const SAMPLE_ACCOUNTS_SIZE = 8;
const MAX_ID = (1n << 63n) - 1n;

/** One notification group as the v2 API shows it. */
export interface NotificationGroupView {
  /** The stored group key, or "ungrouped-<id>". */
  readonly groupKey: string;
  /** The notification the page met first (its type and status stand for the group). */
  readonly head: NotificationRecord;
  readonly count: number;
  readonly mostRecentId: bigint;
  readonly sampleAccountIds: readonly bigint[];
  /** Present when paging (GET /api/v2/notifications), absent for a single group. */
  readonly page: { readonly minId: bigint; readonly maxId: bigint; readonly latestAt: number } | null;
}

export interface GroupedView {
  readonly groups: readonly NotificationGroupView[];
  readonly view: NotificationsView;
  /** Every account the groups' samples name. */
  readonly accounts: ReadonlyMap<bigint, AccountRecord>;
}

function groupedKey(n: NotificationRecord, grouped: GroupedTypes): string | null {
  const groups = grouped === undefined ? GROUPABLE_TYPES : grouped;
  return n.groupKey !== null && groups.includes(n.type) ? n.groupKey : null;
}

async function buildGroups(
  deps: NotificationDeps,
  viewerId: bigint,
  heads: readonly NotificationRecord[],
  grouped: GroupedTypes,
  range: { minId: bigint; maxId: bigint } | null,
): Promise<GroupedView> {
  const view = await viewNotifications(deps, viewerId, heads);
  const keys = view.notifications.map((n) => groupedKey(n, grouped)).filter((k): k is string => k !== null);
  const summaries = await deps.db.repos.notifications.summarizeGroups(viewerId, keys, range ?? { minId: 0n, maxId: MAX_ID }, SAMPLE_ACCOUNTS_SIZE);
  const groups: NotificationGroupView[] = [];
  for (const n of view.notifications) {
    const key = groupedKey(n, grouped);
    const summary = key === null ? undefined : summaries.get(key);
    if (key !== null && summary) {
      groups.push({
        groupKey: key,
        head: n,
        count: summary.count,
        mostRecentId: summary.mostRecentId,
        sampleAccountIds: summary.sampleAccountIds,
        page: range && { minId: summary.pageMinId, maxId: summary.mostRecentId, latestAt: summary.latestAt },
      });
    } else {
      groups.push({
        groupKey: `ungrouped-${n.id}`,
        head: n,
        count: 1,
        mostRecentId: n.id,
        sampleAccountIds: [n.fromAccountId],
        page: range && { minId: n.id, maxId: n.id, latestAt: n.createdAt },
      });
    }
  }
  const missing = [...new Set(groups.flatMap((g) => g.sampleAccountIds))].filter((id) => !view.accounts.has(id));
  const accounts = new Map(view.accounts);
  for (const a of await deps.db.repos.accounts.findByIds(missing)) accounts.set(a.id, a);
  return { groups, view, accounts };
}

/**
 * A page of notification groups (GET /api/v2/notifications), as Mastodon pages them: `limit` groups, each
 * represented by the first of its notifications the walk met, with totals counted up to the top of the page
 * (or, on the last page, over the rest of the group). `rawKeys` are the ids the Link header pages by.
 */
export async function groupedNotifications(
  deps: NotificationDeps,
  viewerId: bigint,
  filter: NotificationFilter,
  grouped: GroupedTypes,
  page: NotificationPage,
): Promise<GroupedView & { rawKeys: { newest: bigint; oldest: bigint } | null }> {
  const heads = await deps.db.repos.notifications.listGroupHeads(viewerId, filter, grouped, page);
  if (heads.length === 0) return { groups: [], view: { notifications: [], statuses: new Map(), accounts: new Map(), filtered: new Map() }, accounts: new Map(), rawKeys: null };
  const newest = heads[0]!.id;
  const oldest = heads[heads.length - 1]!.id;
  let range = { minId: oldest, maxId: newest };
  // Mastodon's load_grouped_notifications: an incomplete page is the last one, so its groups count to the end.
  if (heads.length < page.limit) {
    if (page.minId !== undefined) range = { minId: oldest, maxId: page.maxId !== undefined ? page.maxId - 1n : MAX_ID };
    else range = { minId: page.sinceId !== undefined ? page.sinceId + 1n : 0n, maxId: newest };
  }
  return { ...(await buildGroups(deps, viewerId, heads, grouped, range)), rawKeys: { newest, oldest } };
}

/** Whether a group key could name a group ("ungrouped-<id>" must carry a valid id). */
export function validGroupKey(groupKey: string): boolean {
  if (!groupKey.startsWith("ungrouped-")) return groupKey.length > 0 && groupKey.length <= 200;
  return parseId(groupKey.slice("ungrouped-".length)) !== null;
}

/** One notification group (GET /api/v2/notifications/:group_key), or null when the viewer has none by that key. */
export async function findGroup(deps: NotificationDeps, viewerId: bigint, groupKey: string): Promise<GroupedView | null> {
  if (!validGroupKey(groupKey)) return null;
  const [head] = await deps.db.repos.notifications.listGroup(viewerId, groupKey, { limit: 1 });
  if (!head) return null;
  const result = await buildGroups(deps, viewerId, [head], undefined, null);
  return result.groups.length > 0 ? result : null;
}

/** A page of the senders of one group's notifications, newest first, with the ids the Link header pages by. */
export async function groupAccounts(
  deps: NotificationDeps,
  viewerId: bigint,
  groupKey: string,
  page: NotificationPage,
): Promise<{ accounts: AccountRecord[]; rawKeys: { newest: bigint; oldest: bigint } | null }> {
  if (!validGroupKey(groupKey)) return { accounts: [], rawKeys: null };
  const rows = await deps.db.repos.notifications.listGroup(viewerId, groupKey, page);
  const found = new Map((await deps.db.repos.accounts.findByIds([...new Set(rows.map((r) => r.fromAccountId))])).map((a) => [a.id, a]));
  return {
    accounts: rows.map((r) => found.get(r.fromAccountId)).filter((a): a is AccountRecord => a !== undefined),
    rawKeys: rows.length > 0 ? { newest: rows[0]!.id, oldest: rows[rows.length - 1]!.id } : null,
  };
}
