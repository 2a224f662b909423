import { sql, type Kysely } from "kysely";
import type { Visibility } from "../../../domain/profile.ts";
import type {
  AccountStatusCounts,
  AccountStatusesQuery,
  NewStatus,
  StatusApplication,
  StatusesRepository,
  StatusRecord,
} from "../../../ports/repositories/statuses.ts";
import { inIds, isPostgres, runWithIds } from "../dialect.ts";
import { ReadCoalescer, rowsByIds } from "../read-coalescer.ts";
import type { SqliteRowCache } from "../sqlite-row-cache.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum, toNumOrNull } from "./convert.ts";

type Row = Awaited<ReturnType<ReturnType<KyselyStatusesRepository["selectStatuses"]>["executeTakeFirstOrThrow"]>>;

function parseMediaIds(json: string | null): bigint[] | null {
  if (json === null) return null;
  try {
    const ids = JSON.parse(json);
    return Array.isArray(ids) ? ids.map((x) => BigInt(x)) : null;
  } catch {
    return null;
  }
}

function toStatus(r: Row): StatusRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    text: r.text,
    spoilerText: r.spoiler_text,
    visibility: r.visibility as Visibility,
    sensitive: toBool(r.sensitive),
    language: r.language,
    inReplyToId: toIdOrNull(r.in_reply_to_id),
    inReplyToAccountId: toIdOrNull(r.in_reply_to_account_id),
    reblogOfId: toIdOrNull(r.reblog_of_id),
    conversationId: toIdOrNull(r.conversation_id),
    uri: r.uri,
    url: r.url,
    applicationId: toIdOrNull(r.application_id),
    repliesCount: toNum(r.replies_count),
    reblogsCount: toNum(r.reblogs_count),
    favouritesCount: toNum(r.favourites_count),
    mediaAttachmentIds: parseMediaIds(r.media_attachment_ids),
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
    editedAt: toNumOrNull(r.edited_at),
    deletedAt: toNumOrNull(r.deleted_at),
  };
}

// Every post, local or remote, is one of these inserts: written once rather than built with Kysely each time.
// The columns in the order statusValues gives them.
const STATUS_COLUMNS = [
  "id", "account_id", "text", "spoiler_text", "visibility", "sensitive", "language", "in_reply_to_id", "in_reply_to_account_id",
  "application_id", "reblog_of_id", "conversation_id", "created_at", "updated_at", "uri", "url", "edited_at",
] as const;
const INSERT_STATUS_SQL = `insert into statuses (${STATUS_COLUMNS.join(", ")}) values (${STATUS_COLUMNS.map((_, i) => `{${i}}`).join(", ")})`;
// The partial unique index statuses_uri is the conflict target (its predicate named, as both engines want).
const ON_URI_TAKEN = "on conflict (uri) where uri is not null do nothing";
// Whole texts as constants: runWithIds looks them up by value, and a text joined per call is hashed per call.
const INSERT_RETURNING_SQL = `${INSERT_STATUS_SQL} returning *`;
const INSERT_NEW_URI_SQL = `${INSERT_STATUS_SQL} ${ON_URI_TAKEN} returning *`;
// PostgreSQL: every part of a statement sees the same snapshot and commits together, so the count moves only if
// the row went in (s is empty on a conflict). {1} is the author, {12} the time (statusValues).
const INSERT_COUNTED_SQL = `with s as (${INSERT_NEW_URI_SQL}),
          c as (update accounts set statuses_count = statuses_count + 1, last_status_at = {12} where id = {1} and exists (select 1 from s))
          select * from s`;

function statusValues(input: NewStatus): unknown[] {
  return [
    input.id, input.accountId, input.text, input.spoilerText, input.visibility, input.sensitive, input.language, input.inReplyToId,
    input.inReplyToAccountId, input.applicationId, input.reblogOfId ?? null, input.conversationId, input.now, input.now,
    input.uri ?? null, input.url ?? null, input.editedAt ?? null,
  ];
}

// Rows a coalesced findByIds asks for at most: two full pages of forty for each of a dozen requests.
const COALESCED_IDS_MAX = 1_000;

export class KyselyStatusesRepository implements StatusesRepository {
  #db: Kysely<Tables>;
  // PostgreSQL outside a transaction: concurrent pages share one read of their statuses (read-coalescer.ts).
  // SQLite runs a statement in-process, where a shared one saves nothing.
  readonly #byIds: ReadCoalescer<readonly bigint[], Row[]> | null;
  // SQLite outside a transaction: statuses kept in memory until something may have changed them.
  readonly #kept: SqliteRowCache<StatusRecord> | null;
  constructor(db: Kysely<Tables>, kept?: SqliteRowCache<StatusRecord>) {
    this.#db = db;
    this.#kept = kept && !db.isTransaction ? kept : null;
    this.#byIds =
      isPostgres(db) && !db.isTransaction
        ? new ReadCoalescer(rowsByIds((ids) => this.#readByIds(ids), (row) => toId(row.id)), (ids) => ids.length, COALESCED_IDS_MAX)
        : null;
  }

  selectStatuses() {
    return this.#db.selectFrom("statuses as s").selectAll("s").where("s.deleted_at", "is", null);
  }

  async create(input: NewStatus): Promise<StatusRecord> {
    const [row] = await runWithIds<Row>(this.#db, INSERT_RETURNING_SQL, statusValues(input));
    return toStatus(row);
  }

  async createWithUri(input: NewStatus & { readonly uri: string }): Promise<StatusRecord | null> {
    const [row] = await runWithIds<Row>(this.#db, INSERT_NEW_URI_SQL, statusValues(input));
    return row ? toStatus(row) : null;
  }

  async createCountedWithUri(input: NewStatus & { readonly uri: string }): Promise<StatusRecord | null> {
    if (isPostgres(this.#db)) {
      const [row] = await runWithIds<Row>(
        this.#db,
        INSERT_COUNTED_SQL,
        statusValues(input),
      );
      return row ? toStatus(row) : null;
    }
    // SQLite runs statements in-process: the cost there is the commit, and one transaction has one.
    const both = async (repo: KyselyStatusesRepository) => {
      const stored = await repo.createWithUri(input);
      if (stored) await repo.addAccountStatuses(input.accountId, 1, input.now);
      return stored;
    };
    if (this.#db.isTransaction) return both(this);
    return this.#db.transaction().execute((trx) => both(new KyselyStatusesRepository(trx)));
  }

  async findByUri(uri: string): Promise<StatusRecord | null> {
    const row = await this.selectStatuses().where("s.uri", "=", uri).executeTakeFirst();
    return row ? toStatus(row) : null;
  }

  async oldestByAccount(accountId: bigint, afterId: bigint | null, limit: number): Promise<StatusRecord[]> {
    let q = this.selectStatuses().where("s.account_id", "=", accountId);
    if (afterId !== null) q = q.where("s.id", ">", afterId);
    return (await q.orderBy("s.id", "asc").limit(limit).execute()).map(toStatus);
  }

  async uriTaken(uri: string): Promise<boolean> {
    const row = await this.#db.selectFrom("statuses").select("id").where("uri", "=", uri).executeTakeFirst();
    return row !== undefined;
  }

  async findById(id: bigint): Promise<StatusRecord | null> {
    // Read by every fan-out, boost and reply: written by hand, as selectStatuses with the id would compile.
    const [row] = await runWithIds<Row>(this.#db, `select "s".* from "statuses" as "s" where "s"."deleted_at" is null and "s"."id" = {0}`, [id]);
    return row ? toStatus(row) : null;
  }

  async findByIds(ids: readonly bigint[]): Promise<StatusRecord[]> {
    if (ids.length === 0) return [];
    if (this.#kept) return this.#kept.read(ids, async (missing) => (await this.#readByIds(missing)).map(toStatus), (s) => s.id);
    return (await (this.#byIds ? this.#byIds.read(ids) : this.#readByIds(ids))).map(toStatus);
  }

  #readByIds(ids: readonly bigint[]): Promise<Row[]> {
    // Every page of statuses starts here: written once per length rather than built per call (runWithIds).
    return runWithIds<Row>(this.#db, `select s.* from statuses s where s.deleted_at is null and s.id {ids}`, [], ids);
  }

  async softDelete(id: bigint, now: number): Promise<boolean> {
    const r = await this.#db.updateTable("statuses").set({ deleted_at: now, updated_at: now }).where("id", "=", id).where("deleted_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async addReplies(id: bigint, by: number): Promise<void> {
    await sql`update statuses set replies_count = case when replies_count + ${by} < 0 then 0 else replies_count + ${by} end where id = ${id}`.execute(this.#db);
  }

  async addAccountStatuses(accountId: bigint, by: number, lastStatusAt?: number): Promise<AccountStatusCounts | null> {
    const last = lastStatusAt === undefined ? sql`last_status_at` : sql`${lastStatusAt}`;
    // Whether a remote account follows it rides along (a probe of follows_remote_target): posting asks it next,
    // and a statement of its own would cost a round trip per post.
    const { rows } = await sql<{ statuses_count: number | bigint; last_status_at: number | bigint | null; remote_followers: unknown }>`update accounts
              set statuses_count = case when statuses_count + ${by} < 0 then 0 else statuses_count + ${by} end,
              last_status_at = ${last} where id = ${accountId}
              returning statuses_count, last_status_at,
                exists (select 1 from follows where target_account_id = ${accountId} and remote_follower = true) as remote_followers`.execute(this.#db);
    const row = rows[0];
    return row
      ? { statusesCount: toNum(row.statuses_count), lastStatusAt: toNumOrNull(row.last_status_at), hasRemoteFollowers: toBool(row.remote_followers as boolean | number | bigint) }
      : null;
  }

  async listByAccount(accountId: bigint, q: AccountStatusesQuery): Promise<StatusRecord[]> {
    const { always, ifMentioned, viewerId } = q.visibleTo;
    // min_id pages forward from a point: read ascending, then reverse to newest first.
    const ascending = q.minId !== undefined;
    let query = this.selectStatuses().where("s.account_id", "=", accountId);
    // The visibility policy (domain/visibility.ts) rendered to SQL: see VisibleTo.
    query = query.where((eb) => {
      const ors = [];
      if (always.length > 0) ors.push(eb("s.visibility", "in", [...always]));
      if (ifMentioned.length > 0 && viewerId !== null)
        ors.push(
          eb.and([
            eb("s.visibility", "in", [...ifMentioned]),
            eb.exists(eb.selectFrom("mentions as m").select("m.id").whereRef("m.status_id", "=", "s.id").where("m.account_id", "=", viewerId)),
          ]),
        );
      return ors.length > 0 ? eb.or(ors) : eb.lit(false);
    });
    if (q.maxId !== undefined) query = query.where("s.id", "<", q.maxId);
    if (q.minId !== undefined) query = query.where("s.id", ">", q.minId);
    else if (q.sinceId !== undefined) query = query.where("s.id", ">", q.sinceId);
    if (q.excludeReplies)
      query = query.where((eb) => eb.or([eb("s.in_reply_to_id", "is", null), eb("s.in_reply_to_account_id", "=", accountId)]));
    if (q.excludeReblogs) query = query.where("s.reblog_of_id", "is", null);
    if (q.onlyMedia) query = query.where("s.media_attachment_ids", "is not", null);
    if (q.pinned)
      query = query.where((eb) =>
        eb.exists(eb.selectFrom("status_pins as p").select("p.id").whereRef("p.status_id", "=", "s.id").where("p.account_id", "=", accountId)),
      );
    const rows = await query.orderBy("s.id", ascending ? "asc" : "desc").limit(q.limit).execute();
    const statuses = rows.map(toStatus);
    return ascending ? statuses.reverse() : statuses;
  }

  async addMentions(statusId: bigint, mentions: readonly { id: bigint; accountId: bigint }[]): Promise<void> {
    if (mentions.length === 0) return;
    await this.#db
      .insertInto("mentions")
      .values(mentions.map((m) => ({ id: m.id, status_id: statusId, account_id: m.accountId })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async mentionsOf(statusIds: readonly bigint[]): Promise<Map<bigint, bigint[]>> {
    const out = new Map<bigint, bigint[]>();
    if (statusIds.length === 0) return out;
    const rows = await runWithIds<{ status_id: bigint | string | number; account_id: bigint | string | number }>(
      this.#db, "select status_id, account_id from mentions where status_id {ids} order by id", [], statusIds,
    );
    for (const r of rows) {
      const id = toId(r.status_id);
      const list = out.get(id) ?? [];
      list.push(toId(r.account_id));
      out.set(id, list);
    }
    return out;
  }

  async isMentioned(statusId: bigint, accountId: bigint): Promise<boolean> {
    const row = await this.#db.selectFrom("mentions").select("id").where("status_id", "=", statusId).where("account_id", "=", accountId).executeTakeFirst();
    return row !== undefined;
  }

  async pin(id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("status_pins")
      .values({ id, account_id: accountId, status_id: statusId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async unpin(accountId: bigint, statusId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("status_pins").where("account_id", "=", accountId).where("status_id", "=", statusId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async countPins(accountId: bigint): Promise<number> {
    // Pins of deleted statuses do not count against the limit.
    const row = await this.#db
      .selectFrom("status_pins as p")
      .innerJoin("statuses as s", "s.id", "p.status_id")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("p.account_id", "=", accountId)
      .where("s.deleted_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pinnedAmong(accountId: bigint, statusIds: readonly bigint[]): Promise<Set<bigint>> {
    if (statusIds.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("status_pins")
      .select("status_id")
      .where("account_id", "=", accountId)
      .where(sql<boolean>`status_id ${inIds(this.#db, statusIds)}`)
      .execute();
    return new Set(rows.map((r) => toId(r.status_id)));
  }

  async applicationsOf(applicationIds: readonly bigint[]): Promise<Map<bigint, StatusApplication>> {
    if (applicationIds.length === 0) return new Map();
    const rows = await this.#db.selectFrom("oauth_applications").select(["id", "name", "website"]).where("id", "in", [...applicationIds]).execute();
    return new Map(rows.map((r) => [toId(r.id), { name: r.name, website: r.website }]));
  }
}
