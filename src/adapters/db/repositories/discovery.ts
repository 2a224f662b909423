import { sql, type Kysely } from "kysely";
import type { Visibility } from "../../../domain/profile.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { DirectoryQuery, DiscoveryRepository, TrendCandidate } from "../../../ports/repositories/discovery.ts";
import type { Tables } from "../schema.ts";
import { selectAccountRecords, toAccountRecord } from "./account-records.ts";
import { toId, toNum } from "./convert.ts";

const DAY_MS = 86_400_000;

export class KyselyDiscoveryRepository implements DiscoveryRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  /** Discoverable, shown accounts: not suspended or limited; local ones confirmed, approved and enabled. */
  #listed() {
    return selectAccountRecords(this.#db)
      .where("a.discoverable", "=", true)
      .where("a.suspended_at", "is", null)
      .where("a.silenced_at", "is", null)
      .where((eb) =>
        eb.or([
          eb("a.domain", "is not", null),
          eb.and([eb("u.confirmed_at", "is not", null), eb("u.approved", "=", true), eb("u.disabled", "=", false)]),
        ]),
      );
  }

  async directory(query: DirectoryQuery): Promise<AccountRecord[]> {
    let q = this.#listed();
    if (query.localOnly) q = q.where("a.domain", "is", null);
    q =
      query.order === "new"
        ? q.orderBy("a.id", "desc")
        : q.orderBy(sql`case when a.last_status_at is null then 1 else 0 end`).orderBy("a.last_status_at", "desc").orderBy("a.id", "desc");
    const rows = await q.offset(query.offset).limit(query.limit).execute();
    return rows.map(toAccountRecord);
  }

  async suggestions(viewerId: bigint, limit: number): Promise<AccountRecord[]> {
    const pair = (table: "follows" | "follow_requests" | "blocks" | "mutes" | "suggestion_dismissals", mine: boolean) =>
      sql<boolean>`not exists (select 1 from ${sql.table(table)} x where x.account_id = ${mine ? viewerId : sql.ref("a.id")} and x.target_account_id = ${mine ? sql.ref("a.id") : viewerId})`;
    const rows = await this.#listed()
      .where("a.domain", "is", null)
      .where("a.id", "!=", viewerId)
      .where(pair("follows", true))
      .where(pair("follow_requests", true))
      .where(pair("blocks", true))
      .where(pair("blocks", false))
      .where(pair("mutes", true))
      .where(pair("suggestion_dismissals", true))
      .orderBy("a.followers_count", "desc")
      .orderBy("a.id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toAccountRecord);
  }

  async dismissSuggestion(id: bigint, accountId: bigint, targetId: bigint, now: number): Promise<void> {
    await this.#db
      .insertInto("suggestion_dismissals")
      .values({ id, account_id: accountId, target_account_id: targetId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
      .execute();
  }

  async recentPublicStatuses(since: number, limit: number): Promise<TrendCandidate[]> {
    const rows = await this.#db
      .selectFrom("statuses as s")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .select(["s.id", "s.account_id", "s.text", "s.visibility", "s.created_at", "s.favourites_count", "s.reblogs_count"])
      .where("s.deleted_at", "is", null)
      .where("s.visibility", "=", "public")
      .where("s.reblog_of_id", "is", null)
      .where("s.in_reply_to_id", "is", null)
      .where("s.created_at", ">=", BigInt(since))
      .where("a.domain", "is", null)
      .where("a.discoverable", "=", true)
      .where("a.suspended_at", "is", null)
      .where("a.silenced_at", "is", null)
      .orderBy("s.id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: toId(r.id),
      accountId: toId(r.account_id),
      text: r.text,
      visibility: r.visibility as Visibility,
      createdAt: toNum(r.created_at),
      score: toNum(r.favourites_count) + toNum(r.reblogs_count),
    }));
  }

  #publicTagUse(since: number) {
    return this.#db
      .selectFrom("status_tags as st")
      .innerJoin("statuses as s", "s.id", "st.status_id")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .innerJoin("tags as t", "t.id", "st.tag_id")
      .where("s.deleted_at", "is", null)
      .where("s.visibility", "=", "public")
      .where("s.created_at", ">=", BigInt(since))
      .where("a.domain", "is", null)
      .where("a.suspended_at", "is", null)
      .where("a.silenced_at", "is", null)
      .where((eb) => eb.or([eb("t.trendable", "is", null), eb("t.trendable", "=", true)]));
  }

  async tagAccounts(since: number): Promise<Map<bigint, number>> {
    const rows = await this.#publicTagUse(since)
      .select(["t.id as tag_id", sql<number>`count(distinct s.account_id)`.as("accounts")])
      .groupBy("t.id")
      .execute();
    return new Map(rows.map((r) => [toId(r.tag_id), Number(r.accounts)]));
  }

  async tagUseByDay(since: number): Promise<{ tagId: bigint; name: string; nameLower: string; day: number; uses: number; accounts: number }[]> {
    // Bigint parameters keep the division integral on SQLite (a JS number binds as a REAL there).
    const day = sql<number>`(s.created_at / ${BigInt(DAY_MS)}) * ${BigInt(DAY_MS)}`;
    const rows = await this.#publicTagUse(since)
      .select([
        "t.id as tag_id",
        "t.name",
        "t.name_lower",
        day.as("day"),
        (eb) => eb.fn.countAll().as("uses"),
        sql<number>`count(distinct s.account_id)`.as("accounts"),
      ])
      .groupBy(["t.id", "t.name", "t.name_lower", sql`4`])
      .execute();
    return rows.map((r) => ({ tagId: toId(r.tag_id), name: r.name, nameLower: r.name_lower, day: Number(r.day), uses: Number(r.uses), accounts: Number(r.accounts) }));
  }
}
