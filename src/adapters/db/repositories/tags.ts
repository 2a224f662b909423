import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from "kysely";
import type { RowPage } from "../../../ports/repositories/relationships.ts";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import type {
  FeaturedTagRecord,
  TagDay,
  TagName,
  TagRecord,
  TagsRepository,
  TagTimelineQuery,
} from "../../../ports/repositories/tags.ts";
import { inIds, kyselyText, runWithIds, textWith } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum, toNumOrNull } from "./convert.ts";
import { KyselyStatusesRepository } from "./statuses.ts";

const DAY_MS = 86_400_000;

type TagRow = {
  id: bigint | string;
  name: string;
  name_lower: string;
  usable: boolean | number | bigint | null;
  listable: boolean | number | bigint | null;
  trendable: boolean | number | bigint | null;
  reviewed_at: bigint | string | null;
  last_status_at: bigint | string | null;
  created_at: bigint | string;
};

const TAG_COLUMNS = ["t.id", "t.name", "t.name_lower", "t.usable", "t.listable", "t.trendable", "t.reviewed_at", "t.last_status_at", "t.created_at"] as const;

// tagsOf runs for every page of statuses and every fan-out: its select list is compiled once.
const statusTagsText = kyselyText((db) =>
  (db as Kysely<Tables>).selectFrom("status_tags as st").innerJoin("tags as t", "t.id", "st.tag_id").select([...TAG_COLUMNS, "st.status_id"]),
);
const statusTagsByStatus = textWith(statusTagsText, ' where "st"."status_id" {ids} order by "t"."name_lower"');

const nullableBool = (v: boolean | number | bigint | null) => (v === null ? null : toBool(v));

function toTag(r: TagRow): TagRecord {
  return {
    id: toId(r.id),
    name: r.name,
    nameLower: r.name_lower,
    usable: nullableBool(r.usable),
    listable: nullableBool(r.listable),
    trendable: nullableBool(r.trendable),
    reviewedAt: toNumOrNull(r.reviewed_at),
    lastStatusAt: toNumOrNull(r.last_status_at),
    createdAt: toNum(r.created_at),
  };
}

/** `like` patterns match the prefix literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class KyselyTagsRepository implements TagsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  #tags() {
    return this.#db.selectFrom("tags as t").select(TAG_COLUMNS);
  }

  async findOrCreate(names: readonly TagName[], ids: () => Promise<bigint>, now: number): Promise<TagRecord[]> {
    if (names.length === 0) return [];
    const keys = [...new Set(names.map((n) => n.normalized))];
    const existing = await this.findByNames(keys);
    const missing = names.filter((n, i) => names.findIndex((m) => m.normalized === n.normalized) === i && !existing.some((t) => t.nameLower === n.normalized));
    if (missing.length > 0) {
      const rows = [];
      for (const n of missing) rows.push({ id: await ids(), name: n.name, name_lower: n.normalized, created_at: now, updated_at: now });
      // The unique name_lower decides a race between two posts creating the same tag: the loser keeps the winner's.
      await this.#db.insertInto("tags").values(rows).onConflict((oc) => oc.column("name_lower").doNothing()).execute();
    }
    const all = missing.length > 0 ? await this.findByNames(keys) : existing;
    const byKey = new Map(all.map((t) => [t.nameLower, t]));
    return keys.map((k) => byKey.get(k)).filter((t): t is TagRecord => t !== undefined);
  }

  async findByName(normalized: string): Promise<TagRecord | null> {
    const row = await this.#tags().where("t.name_lower", "=", normalized).executeTakeFirst();
    return row ? toTag(row) : null;
  }

  async findByNames(normalized: readonly string[]): Promise<TagRecord[]> {
    if (normalized.length === 0) return [];
    return (await this.#tags().where("t.name_lower", "in", [...normalized]).execute()).map(toTag);
  }

  async findById(id: bigint): Promise<TagRecord | null> {
    const row = await this.#tags().where("t.id", "=", id).executeTakeFirst();
    return row ? toTag(row) : null;
  }

  async addStatusTags(statusId: bigint, tagIds: readonly bigint[], ids: () => Promise<bigint>, now: number): Promise<void> {
    if (tagIds.length === 0) return;
    const rows = [];
    for (const tagId of tagIds) rows.push({ id: await ids(), status_id: statusId, tag_id: tagId });
    await this.#db
      .insertInto("status_tags")
      .values(rows)
      .onConflict((oc) => oc.columns(["status_id", "tag_id"]).doNothing())
      .execute();
    await this.#db
      .updateTable("tags")
      .set({ last_status_at: now, updated_at: now })
      .where(sql<boolean>`id ${inIds(this.#db, tagIds)}`)
      .where((eb) => eb.or([eb("last_status_at", "is", null), eb("last_status_at", "<", BigInt(now))]))
      .execute();
  }

  async replaceStatusTags(statusId: bigint, tagIds: readonly bigint[], ids: () => Promise<bigint>, now: number): Promise<void> {
    let removal = this.#db.deleteFrom("status_tags").where("status_id", "=", statusId);
    if (tagIds.length > 0) removal = removal.where("tag_id", "not in", [...tagIds]);
    await removal.execute();
    await this.addStatusTags(statusId, tagIds, ids, now);
  }

  async tagsOf(statusIds: readonly bigint[]): Promise<Map<bigint, TagRecord[]>> {
    const out = new Map<bigint, TagRecord[]>();
    if (statusIds.length === 0) return out;
    const rows = await runWithIds<TagRow & { status_id: bigint | string | number }>(
      this.#db, statusTagsByStatus(this.#db), [], statusIds,
    );
    for (const r of rows) {
      const id = toId(r.status_id);
      const list = out.get(id) ?? [];
      list.push(toTag(r));
      out.set(id, list);
    }
    return out;
  }

  async searchByPrefix(prefix: string, options: { limit: number; offset: number; reviewedOnly: boolean }): Promise<TagRecord[]> {
    let q = this.#tags()
      .where(sql<boolean>`t.name_lower like ${likePrefix(prefix)} escape '\\'`)
      .where((eb) => eb.or([eb("t.listable", "is", null), eb("t.listable", "=", true)]));
    if (options.reviewedOnly) q = q.where((eb) => eb.or([eb("t.reviewed_at", "is not", null), eb("t.name_lower", "=", prefix)]));
    const rows = await q.orderBy(sql`length(t.name_lower)`).orderBy("t.name_lower").limit(options.limit).offset(options.offset).execute();
    return rows.map(toTag);
  }

  async history(tagIds: readonly bigint[], sinceMs: number): Promise<Map<bigint, TagDay[]>> {
    const out = new Map<bigint, TagDay[]>();
    if (tagIds.length === 0) return out;
    // Integer division on both engines (bigint / integer literal); a literal, so GROUP BY sees the same expression.
    const day = sql<bigint | string>`s.created_at / ${sql.lit(DAY_MS)}`;
    const rows = await this.#db
      .selectFrom("status_tags as st")
      .innerJoin("statuses as s", "s.id", "st.status_id")
      .select((eb) => [
        "st.tag_id",
        day.as("day"),
        eb.fn.countAll().as("uses"),
        eb.fn.count("s.account_id").distinct().as("accounts"),
      ])
      .where(sql<boolean>`st.tag_id ${inIds(this.#db, tagIds)}`)
      .where("s.created_at", ">=", BigInt(sinceMs))
      .where("s.deleted_at", "is", null)
      .where("s.visibility", "=", "public")
      .where("s.reblog_of_id", "is", null)
      .groupBy(["st.tag_id", day])
      .execute();
    for (const r of rows) {
      const id = toId(r.tag_id);
      const list = out.get(id) ?? [];
      list.push({ day: toNum(r.day) * DAY_MS, uses: toNum(r.uses), accounts: toNum(r.accounts) });
      out.set(id, list);
    }
    return out;
  }

  async timeline(q: TagTimelineQuery): Promise<StatusRecord[]> {
    if (q.anyOf.length === 0) return [];
    const db = this.#db;
    const tagged = (eb: ExpressionBuilder<any, any>, tagIds: readonly bigint[]): Expression<SqlBool> =>
      eb.exists(eb.selectFrom("status_tags as x").select("x.tag_id").whereRef("x.status_id", "=", "s.id").where(sql<boolean>`x.tag_id ${inIds(db, tagIds)}`));
    // min_id pages forward from a point: read ascending, then reverse to newest first.
    const ascending = q.minId !== undefined;
    // Driven from status_tags, so the (tag_id, status_id) index walks one tag's statuses in id order rather
    // than the whole statuses table.
    let query = db
      .selectFrom("status_tags as st")
      .innerJoin("statuses as s", "s.id", "st.status_id")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .leftJoin("users as u", "u.account_id", "a.id")
      .select("st.status_id as id")
      .where(sql<boolean>`st.tag_id ${inIds(db, q.anyOf)}`)
      .where("s.deleted_at", "is", null)
      .where("s.visibility", "=", "public")
      .where("s.reblog_of_id", "is", null)
      .where("a.suspended_at", "is", null)
      // Local accounts that are not confirmed and approved do not exist to others (read-statuses' `available`).
      .where((eb) => eb.or([eb("u.id", "is", null), eb.and([eb("u.confirmed_at", "is not", null), eb("u.approved", "=", true)])]));
    // A status with several of the any-tags has several rows.
    if (q.anyOf.length > 1) query = query.groupBy("st.status_id");
    for (const group of q.allOf) if (group.length > 0) query = query.where((eb) => tagged(eb, group));
    if (q.noneOf.length > 0) query = query.where((eb) => eb.not(tagged(eb, q.noneOf)));
    if (q.local && !q.remote) query = query.where("a.domain", "is", null);
    if (q.remote && !q.local) query = query.where("a.domain", "is not", null);
    if (q.onlyMedia) query = query.where("s.media_attachment_ids", "is not", null);
    const languages = q.languages;
    if (languages && languages.length > 0) query = query.where((eb) => eb.or([eb("s.language", "is", null), eb("s.language", "in", [...languages])]));
    const viewerId = q.viewerId;
    if (viewerId !== null) {
      query = query.where((eb) =>
        eb.and([
          eb.not(eb.exists(eb.selectFrom("blocks as b").select("b.id").where((x) =>
            x.or([
              x.and([x("b.account_id", "=", viewerId), x("b.target_account_id", "=", x.ref("s.account_id"))]),
              x.and([x("b.target_account_id", "=", viewerId), x("b.account_id", "=", x.ref("s.account_id"))]),
            ]),
          ))),
          eb.not(eb.exists(eb.selectFrom("mutes as m").select("m.id")
            .where("m.account_id", "=", viewerId)
            .whereRef("m.target_account_id", "=", "s.account_id")
            .where((x) => x.or([x("m.expires_at", "is", null), x("m.expires_at", ">", BigInt(q.now))])))),
          eb.not(eb.exists(eb.selectFrom("account_domain_blocks as d").select("d.id")
            .where("d.account_id", "=", viewerId)
            .whereRef("d.domain", "=", "a.domain"))),
        ]),
      );
    }
    if (q.maxId !== undefined) query = query.where("st.status_id", "<", q.maxId);
    if (q.minId !== undefined) query = query.where("st.status_id", ">", q.minId);
    else if (q.sinceId !== undefined) query = query.where("st.status_id", ">", q.sinceId);
    const rows = await query.orderBy("st.status_id", ascending ? "asc" : "desc").limit(q.limit).execute();
    const ids = rows.map((r) => toId(r.id));
    if (ascending) ids.reverse();
    const byId = new Map((await new KyselyStatusesRepository(db).findByIds(ids)).map((s) => [s.id, s]));
    return ids.map((id) => byId.get(id)).filter((s): s is StatusRecord => s !== undefined);
  }

  async follow(id: bigint, accountId: bigint, tagId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("tag_follows")
      .values({ id, account_id: accountId, tag_id: tagId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async unfollow(accountId: bigint, tagId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("tag_follows").where("account_id", "=", accountId).where("tag_id", "=", tagId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async followedAmong(accountId: bigint, tagIds: readonly bigint[]): Promise<Set<bigint>> {
    if (tagIds.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("tag_follows")
      .select("tag_id")
      .where("account_id", "=", accountId)
      .where(sql<boolean>`tag_id ${inIds(this.#db, tagIds)}`)
      .execute();
    return new Set(rows.map((r) => toId(r.tag_id)));
  }

  async listFollowed(accountId: bigint, page: RowPage): Promise<{ rowId: bigint; tag: TagRecord }[]> {
    const ascending = page.minId !== undefined;
    let q = this.#db
      .selectFrom("tag_follows as f")
      .innerJoin("tags as t", "t.id", "f.tag_id")
      .select([...TAG_COLUMNS, "f.id as row_id"])
      .where("f.account_id", "=", accountId);
    if (page.maxId !== undefined) q = q.where("f.id", "<", page.maxId);
    if (page.minId !== undefined) q = q.where("f.id", ">", page.minId);
    else if (page.sinceId !== undefined) q = q.where("f.id", ">", page.sinceId);
    const rows = (await q.orderBy("f.id", ascending ? "asc" : "desc").limit(page.limit).execute()).map((r) => ({ rowId: toId(r.row_id), tag: toTag(r) }));
    return ascending ? rows.reverse() : rows;
  }

  async followersOf(tagIds: readonly bigint[], afterAccountId: bigint | null, limit: number): Promise<bigint[]> {
    if (tagIds.length === 0) return [];
    let q = this.#db
      .selectFrom("tag_follows")
      .select("account_id")
      .distinct()
      .where(sql<boolean>`tag_id ${inIds(this.#db, tagIds)}`);
    if (afterAccountId !== null) q = q.where("account_id", ">", afterAccountId);
    const rows = await q.orderBy("account_id").limit(limit).execute();
    return rows.map((r) => toId(r.account_id));
  }

  async feature(id: bigint, accountId: bigint, tagId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("featured_tags")
      .values({ id, account_id: accountId, tag_id: tagId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async unfeature(accountId: bigint, featuredTagId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("featured_tags").where("account_id", "=", accountId).where("id", "=", featuredTagId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async unfeatureTag(accountId: bigint, tagId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("featured_tags").where("account_id", "=", accountId).where("tag_id", "=", tagId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listFeatured(accountId: bigint): Promise<FeaturedTagRecord[]> {
    const rows = await this.#db
      .selectFrom("featured_tags as f")
      .innerJoin("tags as t", "t.id", "f.tag_id")
      .select((eb) => [
        ...TAG_COLUMNS,
        "f.id as featured_id",
        eb
          .selectFrom("status_tags as st")
          .innerJoin("statuses as s", "s.id", "st.status_id")
          .select((x) => x.fn.countAll().as("n"))
          .whereRef("st.tag_id", "=", "f.tag_id")
          .whereRef("s.account_id", "=", "f.account_id")
          .where("s.deleted_at", "is", null)
          .where("s.visibility", "in", ["public", "unlisted"])
          .where("s.reblog_of_id", "is", null)
          .as("statuses_count"),
        eb
          .selectFrom("status_tags as st")
          .innerJoin("statuses as s", "s.id", "st.status_id")
          .select((x) => x.fn.max("s.created_at").as("m"))
          .whereRef("st.tag_id", "=", "f.tag_id")
          .whereRef("s.account_id", "=", "f.account_id")
          .where("s.deleted_at", "is", null)
          .where("s.visibility", "in", ["public", "unlisted"])
          .where("s.reblog_of_id", "is", null)
          .as("last_status_at_of_account"),
      ])
      .where("f.account_id", "=", accountId)
      .orderBy("f.id")
      .execute();
    return rows.map((r) => ({
      id: toId(r.featured_id),
      accountId,
      tag: toTag(r),
      statusesCount: toNum((r.statuses_count ?? 0) as number),
      lastStatusAt: toNumOrNull((r.last_status_at_of_account ?? null) as number | null),
    }));
  }

  async countFeatured(accountId: bigint): Promise<number> {
    const row = await this.#db.selectFrom("featured_tags").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async featuredAmong(accountId: bigint, tagIds: readonly bigint[]): Promise<Set<bigint>> {
    if (tagIds.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("featured_tags")
      .select("tag_id")
      .where("account_id", "=", accountId)
      .where(sql<boolean>`tag_id ${inIds(this.#db, tagIds)}`)
      .execute();
    return new Set(rows.map((r) => toId(r.tag_id)));
  }

  async mostUsedBy(accountId: bigint, limit: number): Promise<TagRecord[]> {
    // Mastodon looks at the account's recent statuses; the newest 1000 are plenty for ten suggestions.
    const recent = this.#db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", accountId)
      .where("deleted_at", "is", null)
      .where("visibility", "in", ["public", "unlisted"])
      .orderBy("id", "desc")
      .limit(1000);
    const rows = await this.#db
      .selectFrom("status_tags as st")
      .innerJoin("tags as t", "t.id", "st.tag_id")
      .select((eb) => [...TAG_COLUMNS, eb.fn.countAll().as("uses")])
      .where("st.status_id", "in", recent)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("featured_tags as f").select("f.id").whereRef("f.tag_id", "=", "t.id").where("f.account_id", "=", accountId))))
      .groupBy(TAG_COLUMNS)
      .orderBy("uses", "desc")
      .orderBy("t.name_lower")
      .limit(limit)
      .execute();
    return rows.map(toTag);
  }
}
