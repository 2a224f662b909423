import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import { GROUPABLE_TYPES } from "../../../domain/notifications.ts";
import type {
  DeliveryFacts,
  GroupedTypes,
  GroupSummary,
  MarkerRecord,
  NewNotification,
  NotificationFilter,
  NotificationPage,
  NotificationPolicyRecord,
  NotificationRecord,
  NotificationRequestRecord,
  NotificationsRepository,
  PolicyAction,
  StoredNotificationType,
} from "../../../ports/repositories/notifications.ts";
import { inIds } from "../dialect.ts";
import type { NotificationsTable, Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum } from "./convert.ts";

interface Row {
  id: bigint | string;
  account_id: bigint | string;
  from_account_id: bigint | string;
  type: string;
  status_id: bigint | string | null;
  group_key: string | null;
  filtered: boolean | number | bigint;
  created_at: bigint | string;
}

function toNotification(r: Row): NotificationRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    fromAccountId: toId(r.from_account_id),
    type: r.type as StoredNotificationType,
    statusId: toIdOrNull(r.status_id),
    groupKey: r.group_key,
    filtered: toBool(r.filtered),
    createdAt: toNum(r.created_at),
  };
}

function parseLanguages(json: string | null): string[] | null {
  if (json === null) return null;
  try {
    const list = JSON.parse(json);
    return Array.isArray(list) && list.length > 0 ? list.map(String) : null;
  } catch {
    return null;
  }
}

function toRequest(r: {
  id: bigint | string;
  account_id: bigint | string;
  from_account_id: bigint | string;
  last_status_id: bigint | string | null;
  notifications_count: bigint | string;
  created_at: bigint | string;
  updated_at: bigint | string;
}): NotificationRequestRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    fromAccountId: toId(r.from_account_id),
    lastStatusId: toIdOrNull(r.last_status_id),
    notificationsCount: toNum(r.notifications_count),
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
  };
}

/** The key a notification groups under for the given grouped types: its stored key, else its own id. */
function effectiveGroupKey(n: { id: bigint; type: StoredNotificationType; groupKey: string | null }, grouped: GroupedTypes): string {
  const groups = grouped === undefined ? GROUPABLE_TYPES : grouped;
  return n.groupKey !== null && groups.includes(n.type) ? n.groupKey : `ungrouped-${n.id}`;
}

export class KyselyNotificationsRepository implements NotificationsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async deliveryFacts(recipientId: bigint, senderId: bigint, now: number): Promise<DeliveryFacts> {
    const db = this.#db;
    const accounts = await db.selectFrom("accounts").select(["id", "domain", "created_at", "silenced_at", "suspended_at"]).where("id", "in", [recipientId, senderId]).execute();
    const recipient = accounts.find((a) => toId(a.id) === recipientId);
    const sender = accounts.find((a) => toId(a.id) === senderId);
    const senderDomain = sender?.domain ?? null;
    const { rows } = await sql<{ k: string; v: bigint | string | number | null }>`
      select 'block' as k, 1 as v from blocks where account_id = ${recipientId} and target_account_id = ${senderId}
      union all select 'mute', 1 from mutes where account_id = ${recipientId} and target_account_id = ${senderId}
        and hide_notifications = ${true} and (expires_at is null or expires_at > ${now})
      union all select 'domain', 1 from account_domain_blocks where account_id = ${recipientId} and domain = ${senderDomain?.toLowerCase() ?? ""}
      union all select 'following', 1 from follows where account_id = ${recipientId} and target_account_id = ${senderId}
      union all select 'follower', created_at from follows where account_id = ${senderId} and target_account_id = ${recipientId}
      union all select 'permitted', 1 from notification_permissions where account_id = ${recipientId} and from_account_id = ${senderId}
    `.execute(db);
    const has = (k: string) => rows.some((r) => r.k === k);
    const follower = rows.find((r) => r.k === "follower");
    return {
      recipientAvailable: recipient !== undefined && recipient.domain === null && recipient.suspended_at === null,
      senderDomain,
      senderCreatedAt: sender ? toNum(sender.created_at) : now,
      senderSilenced: sender?.silenced_at != null,
      senderSuspended: sender === undefined || sender.suspended_at !== null,
      recipientBlocksSender: has("block"),
      recipientMutesNotifications: has("mute"),
      recipientBlocksSenderDomain: senderDomain !== null && has("domain"),
      recipientFollowsSender: has("following"),
      senderFollowsRecipientSince: follower && follower.v !== null ? toNum(follower.v) : null,
      permitted: has("permitted"),
      policy: await this.findPolicy(recipientId),
    };
  }

  async latestGroupKey(recipientId: bigint, type: StoredNotificationType, statusId: bigint | null): Promise<string | null> {
    const row = await this.#db
      .selectFrom("notifications")
      .select("group_key")
      .where("account_id", "=", recipientId)
      .where("type", "=", type)
      .where("activity_key", "=", statusId ?? 0n)
      .where("group_key", "is not", null)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row?.group_key ?? null;
  }

  async insert(n: NewNotification): Promise<boolean> {
    const r = await this.#db
      .insertInto("notifications")
      .values({
        id: n.id,
        account_id: n.accountId,
        from_account_id: n.fromAccountId,
        type: n.type,
        status_id: n.statusId,
        activity_key: n.statusId ?? 0n,
        group_key: n.groupKey,
        filtered: n.filtered,
        created_at: n.now,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /**
   * Lowers the counts of the requests that held the filtered mentions among deleted rows, atomically (each
   * decrement locks the request row), and drops requests left with none.
   */
  async #releaseFromRequests(deleted: readonly { account_id: bigint | string; from_account_id: bigint | string; type: string; filtered: boolean | number | bigint }[]): Promise<void> {
    const counts = new Map<string, { accountId: bigint; fromAccountId: bigint; n: number }>();
    for (const r of deleted) {
      if (r.type !== "mention" || !toBool(r.filtered)) continue;
      const key = `${r.account_id}:${r.from_account_id}`;
      const entry = counts.get(key) ?? { accountId: toId(r.account_id), fromAccountId: toId(r.from_account_id), n: 0 };
      entry.n += 1;
      counts.set(key, entry);
    }
    for (const { accountId, fromAccountId, n } of counts.values()) {
      await this.#db
        .updateTable("notification_requests")
        .set({ notifications_count: sql`notifications_count - ${n}` })
        .where("account_id", "=", accountId)
        .where("from_account_id", "=", fromAccountId)
        .execute();
      await this.#db
        .deleteFrom("notification_requests")
        .where("account_id", "=", accountId)
        .where("from_account_id", "=", fromAccountId)
        .where("notifications_count", "<=", 0n)
        .execute();
    }
  }

  async deleteMatching(match: { type: StoredNotificationType; fromAccountId: bigint; recipientId?: bigint; statusId?: bigint }): Promise<void> {
    let q = this.#db.deleteFrom("notifications").where("type", "=", match.type).where("from_account_id", "=", match.fromAccountId);
    if (match.recipientId !== undefined) q = q.where("account_id", "=", match.recipientId);
    if (match.statusId !== undefined) q = q.where("status_id", "=", match.statusId);
    await this.#releaseFromRequests(await q.returning(["account_id", "from_account_id", "type", "filtered"]).execute());
  }

  async deleteFrom(accountId: bigint, fromAccountId: bigint): Promise<void> {
    await this.#db.deleteFrom("notifications").where("account_id", "=", accountId).where("from_account_id", "=", fromAccountId).execute();
    await this.#db.deleteFrom("notification_requests").where("account_id", "=", accountId).where("from_account_id", "=", fromAccountId).execute();
  }

  async deleteForStatuses(statusIds: readonly bigint[]): Promise<void> {
    if (statusIds.length === 0) return;
    const deleted = await this.#db
      .deleteFrom("notifications")
      .where(sql<boolean>`status_id ${inIds(this.#db, statusIds)}`)
      .returning(["account_id", "from_account_id", "type", "filtered"])
      .execute();
    await this.#releaseFromRequests(deleted);
  }

  /** A block by the recipient of the sender: Mastodon deletes such notifications on blocking; none may show. */
  #blockOf(eb: ExpressionBuilder<Tables & { n: NotificationsTable }, "n">) {
    return eb.selectFrom("blocks as b").select("b.id").whereRef("b.account_id", "=", "n.account_id").whereRef("b.target_account_id", "=", "n.from_account_id");
  }

  #filtered(accountId: bigint, filter: NotificationFilter) {
    let q = this.#db
      .selectFrom("notifications as n")
      .innerJoin("accounts as a", "a.id", "n.from_account_id")
      .where("n.account_id", "=", accountId)
      .where("a.suspended_at", "is", null)
      .where((eb) => eb.not(eb.exists(this.#blockOf(eb))));
    // As Mastodon's `browserable`: asking for one sender shows its filtered notifications too.
    if (!filter.includeFiltered && filter.fromAccountId === undefined) q = q.where("n.filtered", "=", false);
    if (filter.fromAccountId !== undefined) q = q.where("n.from_account_id", "=", filter.fromAccountId);
    if (filter.types !== undefined) q = filter.types.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where("n.type", "in", [...filter.types]);
    if (filter.excludeTypes !== undefined && filter.excludeTypes.length > 0) q = q.where("n.type", "not in", [...filter.excludeTypes]);
    return q;
  }

  async list(accountId: bigint, filter: NotificationFilter, page: NotificationPage): Promise<NotificationRecord[]> {
    const ascending = page.minId !== undefined;
    let q = this.#filtered(accountId, filter).selectAll("n");
    if (page.maxId !== undefined) q = q.where("n.id", "<", page.maxId);
    if (page.minId !== undefined) q = q.where("n.id", ">", page.minId);
    else if (page.sinceId !== undefined) q = q.where("n.id", ">", page.sinceId);
    const rows = (await q.orderBy("n.id", ascending ? "asc" : "desc").limit(page.limit).execute()).map(toNotification);
    return ascending ? rows.reverse() : rows;
  }

  async findById(accountId: bigint, id: bigint): Promise<NotificationRecord | null> {
    const row = await this.#db.selectFrom("notifications").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
    return row ? toNotification(row) : null;
  }

  async dismiss(accountId: bigint, id: bigint): Promise<boolean> {
    const deleted = await this.#db
      .deleteFrom("notifications")
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .returning(["account_id", "from_account_id", "type", "filtered"])
      .execute();
    await this.#releaseFromRequests(deleted);
    return deleted.length > 0;
  }

  async clear(accountId: bigint): Promise<void> {
    await this.#db.deleteFrom("notifications").where("account_id", "=", accountId).execute();
    await this.#db.deleteFrom("notification_requests").where("account_id", "=", accountId).execute();
  }

  async countAfter(accountId: bigint, afterId: bigint, filter: NotificationFilter, limit: number): Promise<number> {
    const rows = await this.#filtered(accountId, filter).select("n.id").where("n.id", ">", afterId).limit(limit).execute();
    return rows.length;
  }

  async listGroupHeads(accountId: bigint, filter: NotificationFilter, grouped: GroupedTypes, page: NotificationPage): Promise<NotificationRecord[]> {
    const ascending = page.minId !== undefined;
    const heads: NotificationRecord[] = [];
    const seen = new Set<string>();
    // Read in batches and keep the first of each group met: Mastodon's recursive query, portable to SQLite.
    const batch = Math.max(page.limit * 4, 40);
    let cursor: bigint | undefined;
    for (;;) {
      let q = this.#filtered(accountId, filter).selectAll("n");
      if (page.maxId !== undefined) q = q.where("n.id", "<", page.maxId);
      if (page.minId !== undefined) q = q.where("n.id", ">", page.minId);
      else if (page.sinceId !== undefined) q = q.where("n.id", ">", page.sinceId);
      if (cursor !== undefined) q = q.where("n.id", ascending ? ">" : "<", cursor);
      const rows = (await q.orderBy("n.id", ascending ? "asc" : "desc").limit(batch).execute()).map(toNotification);
      for (const n of rows) {
        const key = effectiveGroupKey(n, grouped);
        if (seen.has(key)) continue;
        seen.add(key);
        heads.push(n);
        if (heads.length >= page.limit) return ascending ? heads.reverse() : heads;
      }
      if (rows.length < batch) break;
      cursor = rows[rows.length - 1]!.id;
    }
    return ascending ? heads.reverse() : heads;
  }

  async countGroupsAfter(accountId: bigint, afterId: bigint, filter: NotificationFilter, grouped: GroupedTypes, limit: number): Promise<number> {
    const groups = grouped === undefined ? GROUPABLE_TYPES : grouped;
    const key =
      groups.length === 0
        ? sql<string>`cast(n.id as text)`
        : sql<string>`case when n.type in (${sql.join([...groups])}) then coalesce(n.group_key, cast(n.id as text)) else cast(n.id as text) end`;
    const rows = await this.#filtered(accountId, filter).select(key.as("k")).distinct().where("n.id", ">", afterId).limit(limit).execute();
    return rows.length;
  }

  async summarizeGroups(
    accountId: bigint,
    groupKeys: readonly string[],
    range: { minId: bigint; maxId: bigint },
    sampleSize: number,
  ): Promise<Map<string, GroupSummary>> {
    const out = new Map<string, GroupSummary>();
    if (groupKeys.length === 0) return out;
    // Every notification of these groups up to the page's top; groups hold few rows (one per sender and hour span).
    const rows = await this.#db
      .selectFrom("notifications as n")
      .innerJoin("accounts as a", "a.id", "n.from_account_id")
      .select(["n.id", "n.group_key", "n.from_account_id", "n.created_at"])
      .where("n.account_id", "=", accountId)
      .where("n.group_key", "in", [...groupKeys])
      .where("n.filtered", "=", false)
      .where("a.suspended_at", "is", null)
      .where((eb) => eb.not(eb.exists(this.#blockOf(eb))))
      .where("n.id", "<=", range.maxId)
      .orderBy("n.id", "desc")
      .execute();
    const acc = new Map<string, { mostRecentId: bigint; samples: bigint[]; count: number; latestAt: number; pageMinId: bigint | null }>();
    for (const r of rows) {
      const key = r.group_key!;
      const id = toId(r.id);
      let g = acc.get(key);
      if (!g) {
        g = { mostRecentId: id, samples: [], count: 0, latestAt: toNum(r.created_at), pageMinId: null };
        acc.set(key, g);
      }
      g.count += 1;
      if (g.samples.length < sampleSize) g.samples.push(toId(r.from_account_id));
      if (id >= range.minId) g.pageMinId = id;
    }
    for (const [key, g] of acc)
      out.set(key, {
        groupKey: key,
        mostRecentId: g.mostRecentId,
        sampleAccountIds: g.samples,
        count: g.count,
        latestAt: g.latestAt,
        pageMinId: g.pageMinId ?? g.mostRecentId,
      });
    return out;
  }

  async listGroup(accountId: bigint, groupKey: string, page: NotificationPage): Promise<NotificationRecord[]> {
    const ungrouped = /^ungrouped-(\d{1,19})$/.exec(groupKey);
    const ascending = page.minId !== undefined;
    let q = this.#filtered(accountId, { includeFiltered: true }).selectAll("n");
    q = ungrouped ? q.where("n.id", "=", BigInt(ungrouped[1]!)) : q.where("n.group_key", "=", groupKey);
    if (page.maxId !== undefined) q = q.where("n.id", "<", page.maxId);
    if (page.minId !== undefined) q = q.where("n.id", ">", page.minId);
    else if (page.sinceId !== undefined) q = q.where("n.id", ">", page.sinceId);
    const rows = (await q.orderBy("n.id", ascending ? "asc" : "desc").limit(page.limit).execute()).map(toNotification);
    return ascending ? rows.reverse() : rows;
  }

  async dismissGroup(accountId: bigint, groupKey: string): Promise<number> {
    const ungrouped = /^ungrouped-(\d{1,19})$/.exec(groupKey);
    let q = this.#db.deleteFrom("notifications").where("account_id", "=", accountId);
    q = ungrouped ? q.where("id", "=", BigInt(ungrouped[1]!)) : q.where("group_key", "=", groupKey);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async findPolicy(accountId: bigint): Promise<NotificationPolicyRecord | null> {
    const row = await this.#db.selectFrom("notification_policies").selectAll().where("account_id", "=", accountId).executeTakeFirst();
    if (!row) return null;
    return {
      forNotFollowing: row.for_not_following as PolicyAction,
      forNotFollowers: row.for_not_followers as PolicyAction,
      forNewAccounts: row.for_new_accounts as PolicyAction,
      forPrivateMentions: row.for_private_mentions as PolicyAction,
      forLimitedAccounts: row.for_limited_accounts as PolicyAction,
    };
  }

  async savePolicy(accountId: bigint, p: NotificationPolicyRecord, now: number): Promise<void> {
    const values = {
      for_not_following: p.forNotFollowing,
      for_not_followers: p.forNotFollowers,
      for_new_accounts: p.forNewAccounts,
      for_private_mentions: p.forPrivateMentions,
      for_limited_accounts: p.forLimitedAccounts,
      updated_at: now,
    };
    await this.#db
      .insertInto("notification_policies")
      .values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column("account_id").doUpdateSet(values))
      .execute();
  }

  async requestSummary(accountId: bigint, cap: number): Promise<{ requests: number; notifications: number }> {
    const rows = await this.#db
      .selectFrom("notification_requests as r")
      .innerJoin("accounts as a", "a.id", "r.from_account_id")
      .select("r.notifications_count")
      .where("r.account_id", "=", accountId)
      .where("a.suspended_at", "is", null)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom("blocks as b").select("b.id").whereRef("b.account_id", "=", "r.account_id").whereRef("b.target_account_id", "=", "r.from_account_id"))),
      )
      .limit(cap)
      .execute();
    const notifications = rows.reduce((sum, r) => sum + Math.min(toNum(r.notifications_count), cap), 0);
    return { requests: rows.length, notifications };
  }

  async touchRequest(id: bigint, accountId: bigint, fromAccountId: bigint, lastStatusId: bigint, now: number): Promise<void> {
    await this.#db
      .insertInto("notification_requests")
      .values({ id, account_id: accountId, from_account_id: fromAccountId, last_status_id: lastStatusId, notifications_count: 1, created_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.columns(["account_id", "from_account_id"]).doUpdateSet({
          notifications_count: sql`notification_requests.notifications_count + 1`,
          last_status_id: lastStatusId,
          updated_at: now,
        }),
      )
      .execute();
  }

  async listRequests(accountId: bigint, page: NotificationPage): Promise<NotificationRequestRecord[]> {
    const ascending = page.minId !== undefined;
    let q = this.#db
      .selectFrom("notification_requests as r")
      .innerJoin("accounts as a", "a.id", "r.from_account_id")
      .selectAll("r")
      .where("r.account_id", "=", accountId)
      .where("a.suspended_at", "is", null)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom("blocks as b").select("b.id").whereRef("b.account_id", "=", "r.account_id").whereRef("b.target_account_id", "=", "r.from_account_id"))),
      );
    if (page.maxId !== undefined) q = q.where("r.id", "<", page.maxId);
    if (page.minId !== undefined) q = q.where("r.id", ">", page.minId);
    else if (page.sinceId !== undefined) q = q.where("r.id", ">", page.sinceId);
    const rows = (await q.orderBy("r.id", ascending ? "asc" : "desc").limit(page.limit).execute()).map(toRequest);
    return ascending ? rows.reverse() : rows;
  }

  async findRequests(accountId: bigint, ids: readonly bigint[]): Promise<NotificationRequestRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db
      .selectFrom("notification_requests")
      .selectAll()
      .where("account_id", "=", accountId)
      .where(sql<boolean>`id ${inIds(this.#db, ids)}`)
      .execute();
    return rows.map(toRequest);
  }

  async deleteRequest(accountId: bigint, id: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("notification_requests").where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async permit(id: bigint, accountId: bigint, fromAccountId: bigint, now: number): Promise<void> {
    await this.#db
      .insertInto("notification_permissions")
      .values({ id, account_id: accountId, from_account_id: fromAccountId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async unfilterFrom(accountId: bigint, fromAccountId: bigint): Promise<void> {
    await this.#db
      .updateTable("notifications")
      .set({ filtered: false })
      .where("account_id", "=", accountId)
      .where("from_account_id", "=", fromAccountId)
      .where("filtered", "=", true)
      .execute();
  }

  async deleteFilteredFrom(accountId: bigint, fromAccountId: bigint): Promise<void> {
    await this.#db
      .deleteFrom("notifications")
      .where("account_id", "=", accountId)
      .where("from_account_id", "=", fromAccountId)
      .where("filtered", "=", true)
      .execute();
  }

  async hasUnmergedRequests(accountId: bigint): Promise<boolean> {
    const row = await this.#db
      .selectFrom("notifications as n")
      .innerJoin("notification_permissions as p", (j) => j.onRef("p.account_id", "=", "n.account_id").onRef("p.from_account_id", "=", "n.from_account_id"))
      .select("n.id")
      .where("n.account_id", "=", accountId)
      .where("n.filtered", "=", true)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async notifyingFollowers(accountId: bigint, afterRowId: bigint, limit: number): Promise<{ rowId: bigint; accountId: bigint; languages: string[] | null }[]> {
    const rows = await this.#db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .select(["f.id", "f.account_id", "f.languages"])
      .where("f.target_account_id", "=", accountId)
      // Literal, not bound: SQLite uses the partial index follows_notify_target only for the same expression.
      .where(sql<boolean>`f.notify = true`)
      .where("f.id", ">", afterRowId)
      .where("a.domain", "is", null)
      .where("a.suspended_at", "is", null)
      .orderBy("f.id")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ rowId: toId(r.id), accountId: toId(r.account_id), languages: parseLanguages(r.languages) }));
  }

  async findMarkers(accountId: bigint, timelines: readonly string[]): Promise<MarkerRecord[]> {
    if (timelines.length === 0) return [];
    const rows = await this.#db.selectFrom("markers").selectAll().where("account_id", "=", accountId).where("timeline", "in", [...timelines]).execute();
    return rows.map((r) => ({ timeline: r.timeline, lastReadId: toId(r.last_read_id), version: toNum(r.version), updatedAt: toNum(r.updated_at) }));
  }

  async saveMarker(id: bigint, accountId: bigint, timeline: string, lastReadId: bigint, now: number): Promise<void> {
    await this.#db
      .insertInto("markers")
      .values({ id, account_id: accountId, timeline, last_read_id: lastReadId, version: 0, updated_at: now })
      .onConflict((oc) =>
        // As Rails' optimistic locking: an unchanged marker is not written, so its version stays.
        oc
          .columns(["account_id", "timeline"])
          .doUpdateSet({ last_read_id: lastReadId, version: sql`markers.version + 1`, updated_at: now })
          .where("markers.last_read_id", "<>", lastReadId),
      )
      .execute();
  }
}
