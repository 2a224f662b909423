import { sql, type Kysely, type RawBuilder } from "kysely";
import type {
  AuthorFacts,
  InteractionsRepository,
  ListedStatus,
  StatusContent,
  StatusEditRecord,
  ThreadLink,
  ViewerState,
} from "../../../ports/repositories/interactions.ts";
import type { ListedAccount, RowPage } from "../../../ports/repositories/relationships.ts";
import { inIds, runWithIds } from "../dialect.ts";
import { collectViewerState, emptyViewerState, viewerStateSql } from "./viewer-state-sql.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum } from "./convert.ts";

type Id = bigint | string | number;

/** Mastodon's paging window over `column`: exclusive bounds; min_id reads ascending (reversed afterwards). */
function window(column: string, page: RowPage): { where: RawBuilder<unknown>; ascending: boolean } {
  const ref = sql.ref(column);
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (page.maxId !== undefined) parts.push(sql`${ref} < ${page.maxId}`);
  if (page.minId !== undefined) parts.push(sql`${ref} > ${page.minId}`);
  else if (page.sinceId !== undefined) parts.push(sql`${ref} > ${page.sinceId}`);
  return { where: sql.join(parts, sql` and `), ascending: page.minId !== undefined };
}

/** Mastodon's "excluded accounts" of a viewer: blocked either way, or muted. */
function exclusion(other: RawBuilder<unknown>, excludeFor: bigint | null, now: number): RawBuilder<unknown> {
  if (excludeFor === null) return sql``;
  return sql`and not exists (select 1 from blocks b where b.account_id = ${excludeFor} and b.target_account_id = ${other})
    and not exists (select 1 from blocks b where b.account_id = ${other} and b.target_account_id = ${excludeFor})
    and not exists (select 1 from mutes m where m.account_id = ${excludeFor} and m.target_account_id = ${other}
                    and (m.expires_at is null or m.expires_at > ${now}))`;
}

// The viewer-state union without and with conversation mutes, joined once (runWithIds looks texts up by value).
const VIEWER_STATE_TEXTS = [viewerStateSql(0, false).join(" union all "), viewerStateSql(0, true).join(" union all ")];

export class KyselyInteractionsRepository implements InteractionsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async #insertPair(table: "favourites" | "bookmarks", id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto(table)
      .values({ id, account_id: accountId, status_id: statusId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async #deletePair(table: "favourites" | "bookmarks", accountId: bigint, statusId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom(table).where("account_id", "=", accountId).where("status_id", "=", statusId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async #listPairs(table: "favourites" | "bookmarks", accountId: bigint, page: RowPage): Promise<ListedStatus[]> {
    const { where, ascending } = window("r.id", page);
    const { rows } = await sql<{ id: Id; status_id: Id }>`
      select r.id as id, r.status_id as status_id from ${sql.table(table)} r
      inner join statuses s on s.id = r.status_id
      where r.account_id = ${accountId} and s.deleted_at is null and ${where}
      order by r.id ${ascending ? sql`asc` : sql`desc`} limit ${page.limit}`.execute(this.#db);
    const out = rows.map((r) => ({ rowId: toId(r.id), statusId: toId(r.status_id) }));
    return ascending ? out.reverse() : out;
  }

  async #addFavourites(statusId: bigint, by: number): Promise<void> {
    await sql`update statuses set favourites_count = case when favourites_count + ${by} < 0 then 0 else favourites_count + ${by} end
              where id = ${statusId}`.execute(this.#db);
  }

  async favourite(id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean> {
    if (!(await this.#insertPair("favourites", id, accountId, statusId, now))) return false;
    await this.#addFavourites(statusId, 1);
    return true;
  }

  async unfavourite(accountId: bigint, statusId: bigint): Promise<boolean> {
    if (!(await this.#deletePair("favourites", accountId, statusId))) return false;
    await this.#addFavourites(statusId, -1);
    return true;
  }

  listFavourites(accountId: bigint, page: RowPage): Promise<ListedStatus[]> {
    return this.#listPairs("favourites", accountId, page);
  }

  async favouritedBy(statusId: bigint, page: RowPage, excludeFor: bigint | null, now: number): Promise<ListedAccount[]> {
    const { where, ascending } = window("r.id", page);
    const { rows } = await sql<{ id: Id; other: Id }>`
      select r.id as id, r.account_id as other from favourites r
      inner join accounts a on a.id = r.account_id
      where r.status_id = ${statusId} and a.suspended_at is null and ${where} ${exclusion(sql.ref("r.account_id"), excludeFor, now)}
      order by r.id ${ascending ? sql`asc` : sql`desc`} limit ${page.limit}`.execute(this.#db);
    const out = rows.map((r) => ({ rowId: toId(r.id), accountId: toId(r.other) }));
    return ascending ? out.reverse() : out;
  }

  bookmark(id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean> {
    return this.#insertPair("bookmarks", id, accountId, statusId, now);
  }

  unbookmark(accountId: bigint, statusId: bigint): Promise<boolean> {
    return this.#deletePair("bookmarks", accountId, statusId);
  }

  listBookmarks(accountId: bigint, page: RowPage): Promise<ListedStatus[]> {
    return this.#listPairs("bookmarks", accountId, page);
  }

  async findReblogId(accountId: bigint, statusId: bigint): Promise<bigint | null> {
    const row = await this.#db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", accountId)
      .where("reblog_of_id", "=", statusId)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    return row ? toId(row.id) : null;
  }

  async reblogIdsOf(statusId: bigint): Promise<{ id: bigint; accountId: bigint }[]> {
    const rows = await this.#db
      .selectFrom("statuses")
      .select(["id", "account_id"])
      .where("reblog_of_id", "=", statusId)
      .where("deleted_at", "is", null)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ id: toId(r.id), accountId: toId(r.account_id) }));
  }

  async addReblogs(statusId: bigint, by: number): Promise<void> {
    await sql`update statuses set reblogs_count = case when reblogs_count + ${by} < 0 then 0 else reblogs_count + ${by} end
              where id = ${statusId}`.execute(this.#db);
  }

  async rebloggedBy(statusId: bigint, page: RowPage, excludeFor: bigint | null, now: number): Promise<ListedAccount[]> {
    const { where, ascending } = window("r.id", page);
    const { rows } = await sql<{ id: Id; other: Id }>`
      select r.id as id, r.account_id as other from statuses r
      inner join accounts a on a.id = r.account_id
      where r.reblog_of_id = ${statusId} and r.deleted_at is null and r.visibility in ('public', 'unlisted')
        and a.suspended_at is null and ${where} ${exclusion(sql.ref("r.account_id"), excludeFor, now)}
      order by r.id ${ascending ? sql`asc` : sql`desc`} limit ${page.limit}`.execute(this.#db);
    const out = rows.map((r) => ({ rowId: toId(r.id), accountId: toId(r.other) }));
    return ascending ? out.reverse() : out;
  }

  async muteConversation(id: bigint, accountId: bigint, conversationId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("conversation_mutes")
      .values({ id, account_id: accountId, conversation_id: conversationId, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async unmuteConversation(accountId: bigint, conversationId: bigint): Promise<boolean> {
    const r = await this.#db
      .deleteFrom("conversation_mutes")
      .where("account_id", "=", accountId)
      .where("conversation_id", "=", conversationId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async isConversationMuted(accountId: bigint, conversationId: bigint): Promise<boolean> {
    const row = await this.#db
      .selectFrom("conversation_mutes")
      .select("id")
      .where("account_id", "=", accountId)
      .where("conversation_id", "=", conversationId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async participatesIn(accountId: bigint, conversationId: bigint): Promise<boolean> {
    const { rows } = await sql<{ n: Id }>`
      select 1 as n where exists (select 1 from statuses s where s.conversation_id = ${conversationId} and s.account_id = ${accountId} and s.deleted_at is null)
        or exists (select 1 from statuses s inner join mentions m on m.status_id = s.id
                   where s.conversation_id = ${conversationId} and m.account_id = ${accountId} and s.deleted_at is null)`.execute(this.#db);
    return rows.length > 0;
  }

  async viewerState(accountId: bigint, statusIds: readonly bigint[], conversationIds: readonly bigint[]): Promise<ViewerState> {
    const state = emptyViewerState();
    if (statusIds.length === 0) return state;
    // Read for every page of statuses: written once per lengths rather than built per call (runWithIds).
    const lists = conversationIds.length > 0 ? [statusIds, conversationIds] : [statusIds];
    const rows = await runWithIds<{ k: string; v: Id }>(this.#db, VIEWER_STATE_TEXTS[lists.length - 1], [accountId], ...lists);
    for (const r of rows) collectViewerState(state, r.k, r.v);
    return state;
  }

  async authorFacts(viewerId: bigint, authorIds: readonly bigint[], domains: readonly string[], now: number): Promise<AuthorFacts> {
    const facts = { follows: new Set<bigint>(), blocks: new Set<bigint>(), blockedBy: new Set<bigint>(), mutes: new Set<bigint>(), blockedDomains: new Set<string>() };
    if (authorIds.length === 0) return facts;
    const ids = inIds(this.#db, authorIds);
    const parts = [
      sql`select 'f' as k, target_account_id as v, cast(null as text) as d from follows where account_id = ${viewerId} and target_account_id ${ids}`,
      sql`select 'b' as k, target_account_id as v, cast(null as text) as d from blocks where account_id = ${viewerId} and target_account_id ${ids}`,
      sql`select 'B' as k, account_id as v, cast(null as text) as d from blocks where target_account_id = ${viewerId} and account_id ${ids}`,
      sql`select 'm' as k, target_account_id as v, cast(null as text) as d from mutes where account_id = ${viewerId} and target_account_id ${ids}
          and (expires_at is null or expires_at > ${now})`,
    ];
    if (domains.length > 0)
      parts.push(sql`select 'd' as k, cast(null as bigint) as v, domain as d from account_domain_blocks where account_id = ${viewerId}
                     and domain in (${sql.join(domains.map((x) => x.toLowerCase()))})`);
    const { rows } = await sql<{ k: string; v: Id | null; d: string | null }>`${sql.join(parts, sql` union all `)}`.execute(this.#db);
    const sets: Record<string, Set<bigint>> = { f: facts.follows, b: facts.blocks, B: facts.blockedBy, m: facts.mutes };
    for (const r of rows) {
      if (r.k === "d") facts.blockedDomains.add(r.d!);
      else sets[r.k].add(toId(r.v!));
    }
    return facts;
  }

  async addEdit(edit: StatusEditRecord): Promise<void> {
    await this.#db
      .insertInto("status_edits")
      .values({
        id: edit.id, status_id: edit.statusId, account_id: edit.accountId, text: edit.text, spoiler_text: edit.spoilerText,
        sensitive: edit.sensitive, language: edit.language, created_at: edit.createdAt,
        media_attachment_ids: edit.mediaAttachmentIds && edit.mediaAttachmentIds.length > 0 ? JSON.stringify(edit.mediaAttachmentIds.map(String)) : null,
        poll_options: edit.pollOptions ? JSON.stringify(edit.pollOptions) : null,
      })
      .execute();
  }

  async editsOf(statusId: bigint): Promise<StatusEditRecord[]> {
    const rows = await this.#db.selectFrom("status_edits").selectAll().where("status_id", "=", statusId).orderBy("id").execute();
    return rows.map((r) => ({
      id: toId(r.id), statusId: toId(r.status_id), accountId: toId(r.account_id), text: r.text, spoilerText: r.spoiler_text,
      sensitive: toBool(r.sensitive), language: r.language, createdAt: toNum(r.created_at),
      mediaAttachmentIds: r.media_attachment_ids ? (JSON.parse(r.media_attachment_ids) as string[]).map((id) => BigInt(id)) : null,
      pollOptions: r.poll_options ? (JSON.parse(r.poll_options) as string[]) : null,
    }));
  }

  async updateContent(statusId: bigint, content: StatusContent, editedAt: number): Promise<void> {
    await this.#db
      .updateTable("statuses")
      .set({ text: content.text, spoiler_text: content.spoilerText, sensitive: content.sensitive, language: content.language, edited_at: editedAt, updated_at: editedAt })
      .where("id", "=", statusId)
      .execute();
  }

  async replaceMentions(statusId: bigint, mentions: readonly { id: bigint; accountId: bigint }[]): Promise<void> {
    let gone = this.#db.deleteFrom("mentions").where("status_id", "=", statusId);
    if (mentions.length > 0) gone = gone.where("account_id", "not in", mentions.map((m) => m.accountId));
    await gone.execute();
    if (mentions.length === 0) return;
    await this.#db
      .insertInto("mentions")
      .values(mentions.map((m) => ({ id: m.id, status_id: statusId, account_id: m.accountId })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async descendantLinks(rootId: bigint, limit: number, depth: number): Promise<ThreadLink[]> {
    const out: ThreadLink[] = [];
    let level = [rootId];
    for (let d = 0; d < depth && level.length > 0 && out.length < limit; d++) {
      const rows = await this.#db
        .selectFrom("statuses")
        .select(["id", "in_reply_to_id"])
        .where(sql<boolean>`in_reply_to_id ${inIds(this.#db, level)}`)
        .where("deleted_at", "is", null)
        .orderBy("id")
        .limit(limit - out.length)
        .execute();
      level = [];
      for (const r of rows) {
        out.push({ id: toId(r.id), inReplyToId: toId(r.in_reply_to_id!) });
        level.push(toId(r.id));
      }
    }
    return out;
  }
}
