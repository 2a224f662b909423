import { sql, type Kysely } from "kysely";
import type {
  FilterAction,
  FilterChanges,
  FilterKeywordRecord,
  FilterRecord,
  FiltersRepository,
  FilterStatusRecord,
  FilterWithRules,
  NewFilter,
} from "../../../ports/repositories/filters.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum, toNumOrNull } from "./convert.ts";

const FILTER_COLUMNS = ["f.id", "f.account_id", "f.title", "f.context", "f.action", "f.expires_at", "f.created_at", "f.updated_at"] as const;

type FilterRow = {
  id: bigint | string;
  account_id: bigint | string;
  title: string;
  context: string;
  action: string;
  expires_at: bigint | string | null;
  created_at: bigint | string;
  updated_at: bigint | string;
};

function parseContext(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function toFilter(r: FilterRow): FilterRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    title: r.title,
    context: parseContext(r.context),
    action: r.action as FilterAction,
    expiresAt: toNumOrNull(r.expires_at),
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
  };
}

const byId = (a: { id: bigint }, b: { id: bigint }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class KyselyFiltersRepository implements FiltersRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async listByAccount(accountId: bigint): Promise<FilterWithRules[]> {
    const rows = await this.#db.selectFrom("custom_filters as f").select(FILTER_COLUMNS).where("f.account_id", "=", accountId).orderBy("f.id").execute();
    return this.#withRules(rows.map(toFilter));
  }

  async findById(accountId: bigint, filterId: bigint): Promise<FilterWithRules | null> {
    const row = await this.#db
      .selectFrom("custom_filters as f")
      .select(FILTER_COLUMNS)
      .where("f.id", "=", filterId)
      .where("f.account_id", "=", accountId)
      .executeTakeFirst();
    return row ? (await this.#withRules([toFilter(row)]))[0] : null;
  }

  /** Keywords and statuses of these filters, in two queries. */
  async #withRules(filters: FilterRecord[]): Promise<FilterWithRules[]> {
    if (filters.length === 0) return [];
    const ids = filters.map((f) => f.id);
    const [keywords, statuses] = await Promise.all([
      this.#db.selectFrom("custom_filter_keywords").select(["id", "filter_id", "keyword", "whole_word"]).where("filter_id", "in", ids).orderBy("id").execute(),
      this.#db.selectFrom("custom_filter_statuses").select(["id", "filter_id", "status_id"]).where("filter_id", "in", ids).orderBy("id").execute(),
    ]);
    const out = new Map(filters.map((f) => [f.id, { ...f, keywords: [] as FilterKeywordRecord[], statuses: [] as FilterStatusRecord[] }]));
    for (const k of keywords) out.get(toId(k.filter_id))?.keywords.push({ id: toId(k.id), filterId: toId(k.filter_id), keyword: k.keyword, wholeWord: toBool(k.whole_word) });
    for (const s of statuses) out.get(toId(s.filter_id))?.statuses.push({ id: toId(s.id), filterId: toId(s.filter_id), statusId: toId(s.status_id) });
    return [...out.values()];
  }

  async activeRules(accountId: bigint, now: number): Promise<FilterWithRules[]> {
    // One round trip: each row is a filter with one keyword (or none) or one status. A viewer without filters
    // costs two probes of the account_id index inside this one query.
    const unexpired = (f: "custom_filters") =>
      this.#db
        .selectFrom(`${f} as f`)
        .select(FILTER_COLUMNS)
        .where("f.account_id", "=", accountId)
        .where((eb) => eb.or([eb("f.expires_at", "is", null), eb("f.expires_at", ">", BigInt(now))]));
    const keywords = unexpired("custom_filters")
      .leftJoin("custom_filter_keywords as k", "k.filter_id", "f.id")
      .select([
        sql<string>`'k'`.as("kind"),
        sql<bigint | string | null>`k.id`.as("rule_id"),
        sql<string | null>`k.keyword`.as("keyword"),
        sql<boolean | number | null>`k.whole_word`.as("whole_word"),
        sql<bigint | string | null>`cast(null as bigint)`.as("status_id"),
      ]);
    const statuses = unexpired("custom_filters")
      .innerJoin("custom_filter_statuses as s", "s.filter_id", "f.id")
      .select([
        sql<string>`'s'`.as("kind"),
        sql<bigint | string | null>`s.id`.as("rule_id"),
        sql<string | null>`cast(null as text)`.as("keyword"),
        sql<boolean | number | null>`cast(null as boolean)`.as("whole_word"),
        sql<bigint | string | null>`s.status_id`.as("status_id"),
      ]);
    const rows = await keywords.unionAll(statuses).execute();
    const out = new Map<bigint, FilterWithRules & { keywords: FilterKeywordRecord[]; statuses: FilterStatusRecord[] }>();
    for (const r of rows) {
      const id = toId(r.id);
      let f = out.get(id);
      if (!f) out.set(id, (f = { ...toFilter(r), keywords: [], statuses: [] }));
      if (r.rule_id === null) continue;
      if (r.kind === "k") f.keywords.push({ id: toId(r.rule_id), filterId: id, keyword: r.keyword ?? "", wholeWord: toBool(r.whole_word ?? false) });
      else f.statuses.push({ id: toId(r.rule_id), filterId: id, statusId: toId(r.status_id ?? 0) });
    }
    const filters = [...out.values()].sort(byId);
    for (const f of filters) {
      f.keywords.sort(byId);
      f.statuses.sort(byId);
    }
    return filters;
  }

  async create(input: NewFilter): Promise<void> {
    await this.#db
      .insertInto("custom_filters")
      .values({
        id: input.id,
        account_id: input.accountId,
        title: input.title,
        context: JSON.stringify(input.context),
        action: input.action,
        expires_at: input.expiresAt,
        created_at: input.now,
        updated_at: input.now,
      })
      .execute();
  }

  async update(filterId: bigint, changes: FilterChanges, now: number): Promise<void> {
    await this.#db
      .updateTable("custom_filters")
      .set({
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.context !== undefined ? { context: JSON.stringify(changes.context) } : {}),
        ...(changes.action !== undefined ? { action: changes.action } : {}),
        ...(changes.expiresAt !== undefined ? { expires_at: changes.expiresAt } : {}),
        updated_at: now,
      })
      .where("id", "=", filterId)
      .execute();
  }

  async delete(filterId: bigint): Promise<boolean> {
    // Children first: SQLite enforces the cascade only when foreign keys are on, so do not rely on it.
    await this.#db.deleteFrom("custom_filter_keywords").where("filter_id", "=", filterId).execute();
    await this.#db.deleteFrom("custom_filter_statuses").where("filter_id", "=", filterId).execute();
    const r = await this.#db.deleteFrom("custom_filters").where("id", "=", filterId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async addKeyword(input: { id: bigint; filterId: bigint; keyword: string; wholeWord: boolean; now: number }): Promise<void> {
    await this.#db
      .insertInto("custom_filter_keywords")
      .values({ id: input.id, filter_id: input.filterId, keyword: input.keyword, whole_word: input.wholeWord, created_at: input.now, updated_at: input.now })
      .execute();
  }

  async updateKeyword(keywordId: bigint, changes: { keyword?: string; wholeWord?: boolean }, now: number): Promise<void> {
    await this.#db
      .updateTable("custom_filter_keywords")
      .set({
        ...(changes.keyword !== undefined ? { keyword: changes.keyword } : {}),
        ...(changes.wholeWord !== undefined ? { whole_word: changes.wholeWord } : {}),
        updated_at: now,
      })
      .where("id", "=", keywordId)
      .execute();
  }

  async deleteKeyword(keywordId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("custom_filter_keywords").where("id", "=", keywordId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  #keywordsWithFilter(accountId: bigint) {
    return this.#db
      .selectFrom("custom_filter_keywords as k")
      .innerJoin("custom_filters as f", "f.id", "k.filter_id")
      .select(FILTER_COLUMNS)
      .select(["k.id as keyword_id", "k.keyword", "k.whole_word"])
      .where("f.account_id", "=", accountId);
  }

  async findKeyword(accountId: bigint, keywordId: bigint): Promise<{ keyword: FilterKeywordRecord; filter: FilterRecord } | null> {
    const row = await this.#keywordsWithFilter(accountId).where("k.id", "=", keywordId).executeTakeFirst();
    return row ? { keyword: { id: toId(row.keyword_id), filterId: toId(row.id), keyword: row.keyword, wholeWord: toBool(row.whole_word) }, filter: toFilter(row) } : null;
  }

  async keywordsByAccount(accountId: bigint): Promise<{ keyword: FilterKeywordRecord; filter: FilterRecord }[]> {
    const rows = await this.#keywordsWithFilter(accountId).orderBy("k.id").execute();
    return rows.map((row) => ({
      keyword: { id: toId(row.keyword_id), filterId: toId(row.id), keyword: row.keyword, wholeWord: toBool(row.whole_word) },
      filter: toFilter(row),
    }));
  }

  async countKeywords(filterId: bigint): Promise<number> {
    const row = await this.#db
      .selectFrom("custom_filter_keywords")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("filter_id", "=", filterId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async addStatus(input: { id: bigint; filterId: bigint; statusId: bigint; now: number }): Promise<boolean> {
    const r = await this.#db
      .insertInto("custom_filter_statuses")
      .values({ id: input.id, filter_id: input.filterId, status_id: input.statusId, created_at: input.now })
      .onConflict((oc) => oc.columns(["filter_id", "status_id"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async deleteStatus(filterStatusId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("custom_filter_statuses").where("id", "=", filterStatusId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async findStatus(accountId: bigint, filterStatusId: bigint): Promise<FilterStatusRecord | null> {
    const row = await this.#db
      .selectFrom("custom_filter_statuses as s")
      .innerJoin("custom_filters as f", "f.id", "s.filter_id")
      .select(["s.id", "s.filter_id", "s.status_id"])
      .where("s.id", "=", filterStatusId)
      .where("f.account_id", "=", accountId)
      .executeTakeFirst();
    return row ? { id: toId(row.id), filterId: toId(row.filter_id), statusId: toId(row.status_id) } : null;
  }
}
