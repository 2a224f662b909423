import { sql, type Kysely } from "kysely";
import type { ListChanges, ListHolding, ListRecord, ListsRepository, RepliesPolicy } from "../../../ports/repositories/lists.ts";
import { inIds, runWithIds } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId } from "./convert.ts";

type Row = { id: bigint | string; account_id: bigint | string; title: string; replies_policy: string; exclusive: boolean | number | bigint };

function toList(r: Row): ListRecord {
  return { id: toId(r.id), accountId: toId(r.account_id), title: r.title, repliesPolicy: r.replies_policy as RepliesPolicy, exclusive: toBool(r.exclusive) };
}

/** A list holding a member, from a row of l.id, l.account_id, l.replies_policy and l.exclusive. */
export function toListHolding(r: {
  id: bigint | string | number;
  account_id: bigint | string | number;
  replies_policy: string;
  exclusive: boolean | number | bigint | string;
}): ListHolding {
  return { listId: toId(r.id), ownerId: toId(r.account_id), repliesPolicy: r.replies_policy as RepliesPolicy, exclusive: toBool(r.exclusive) };
}

/** The lists of local, unsuspended owners that hold the account `{0}`, for runWithIds (also in firstAudience). */
export const HOLDINGS_FROM = `from list_accounts la inner join lists l on l.id = la.list_id inner join accounts a on a.id = l.account_id
      where la.account_id = {0} and a.domain is null and a.suspended_at is null`;
const HOLDINGS_SQL = `select l.id, l.account_id, l.replies_policy, l.exclusive ${HOLDINGS_FROM}`;

/** ListsRepository.holdingsOf, read by every fan-out. */
export async function holdingsOf(db: Kysely<any>, memberId: bigint): Promise<ListHolding[]> {
  const rows = await runWithIds<Parameters<typeof toListHolding>[0]>(db, HOLDINGS_SQL, [memberId]);
  return rows.map(toListHolding);
}

const LIST_COLUMNS = ["l.id", "l.account_id", "l.title", "l.replies_policy", "l.exclusive"] as const;

/** ListsRepository over Kysely. */
export class KyselyListsRepository implements ListsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(input: { id: bigint; accountId: bigint; title: string; repliesPolicy: RepliesPolicy; exclusive: boolean; now: number }): Promise<void> {
    await this.#db
      .insertInto("lists")
      .values({
        id: input.id, account_id: input.accountId, title: input.title, replies_policy: input.repliesPolicy, exclusive: input.exclusive,
        created_at: input.now, updated_at: input.now,
      })
      .execute();
  }

  async find(ownerId: bigint, listId: bigint): Promise<ListRecord | null> {
    const r = await this.#db.selectFrom("lists as l").select(LIST_COLUMNS).where("l.id", "=", listId).where("l.account_id", "=", ownerId).executeTakeFirst();
    return r ? toList(r) : null;
  }

  async listOwn(ownerId: bigint): Promise<ListRecord[]> {
    return (await this.#db.selectFrom("lists as l").select(LIST_COLUMNS).where("l.account_id", "=", ownerId).orderBy("l.id").execute()).map(toList);
  }

  async countOwn(ownerId: bigint): Promise<number> {
    const r = await this.#db.selectFrom("lists").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", ownerId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async update(listId: bigint, changes: ListChanges, now: number): Promise<void> {
    const set: Record<string, unknown> = { updated_at: now };
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.repliesPolicy !== undefined) set.replies_policy = changes.repliesPolicy;
    if (changes.exclusive !== undefined) set.exclusive = changes.exclusive;
    await this.#db.updateTable("lists").set(set).where("id", "=", listId).execute();
  }

  async delete(ownerId: bigint, listId: bigint): Promise<boolean> {
    await this.#db.deleteFrom("list_accounts").where("list_id", "=", listId).where("list_id", "in", (eb) => eb.selectFrom("lists").select("id").where("account_id", "=", ownerId)).execute();
    const r = await this.#db.deleteFrom("lists").where("id", "=", listId).where("account_id", "=", ownerId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async addMembers(listId: bigint, members: readonly { id: bigint; accountId: bigint }[]): Promise<void> {
    if (members.length === 0) return;
    await this.#db
      .insertInto("list_accounts")
      .values(members.map((m) => ({ id: m.id, list_id: listId, account_id: m.accountId })))
      .onConflict((oc) => oc.columns(["list_id", "account_id"]).doNothing())
      .execute();
  }

  async removeMembers(listId: bigint, accountIds: readonly bigint[]): Promise<number> {
    if (accountIds.length === 0) return 0;
    const r = await this.#db.deleteFrom("list_accounts").where("list_id", "=", listId).where(sql<boolean>`account_id ${inIds(this.#db, accountIds)}`).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async membersAmong(listId: bigint, accountIds: readonly bigint[]): Promise<Set<bigint>> {
    if (accountIds.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("list_accounts")
      .select("account_id")
      .where("list_id", "=", listId)
      .where(sql<boolean>`account_id ${inIds(this.#db, accountIds)}`)
      .execute();
    return new Set(rows.map((r) => toId(r.account_id)));
  }

  async memberIds(listId: bigint): Promise<bigint[]> {
    return (await this.#db.selectFrom("list_accounts").select("account_id").where("list_id", "=", listId).execute()).map((r) => toId(r.account_id));
  }

  async membersPage(listId: bigint, page: { maxId?: bigint; sinceId?: bigint; minId?: bigint; limit: number }) {
    const ascending = page.minId !== undefined;
    let q = this.#db
      .selectFrom("list_accounts as la")
      .innerJoin("accounts as a", "a.id", "la.account_id")
      .select(["la.id", "la.account_id"])
      .where("la.list_id", "=", listId)
      .where("a.suspended_at", "is", null);
    if (page.maxId !== undefined) q = q.where("la.id", "<", page.maxId);
    if (page.minId !== undefined) q = q.where("la.id", ">", page.minId);
    else if (page.sinceId !== undefined) q = q.where("la.id", ">", page.sinceId);
    q = q.orderBy("la.id", ascending ? "asc" : "desc");
    if (page.limit > 0) q = q.limit(page.limit);
    const rows = (await q.execute()).map((r) => ({ rowId: toId(r.id), accountId: toId(r.account_id) }));
    return ascending ? rows.reverse() : rows;
  }

  async listsHolding(ownerId: bigint, memberId: bigint): Promise<ListRecord[]> {
    const rows = await this.#db
      .selectFrom("lists as l")
      .innerJoin("list_accounts as la", "la.list_id", "l.id")
      .select(LIST_COLUMNS)
      .where("l.account_id", "=", ownerId)
      .where("la.account_id", "=", memberId)
      .orderBy("l.id")
      .execute();
    return rows.map(toList);
  }

  holdingsOf(memberId: bigint): Promise<ListHolding[]> {
    return holdingsOf(this.#db, memberId);
  }

  async exclusiveMembers(ownerId: bigint): Promise<Set<bigint>> {
    const rows = await this.#db
      .selectFrom("list_accounts as la")
      .innerJoin("lists as l", "l.id", "la.list_id")
      .select("la.account_id")
      .where("l.account_id", "=", ownerId)
      .where("l.exclusive", "=", true)
      .execute();
    return new Set(rows.map((r) => toId(r.account_id)));
  }

  async removeFromOwnerLists(ownerId: bigint, memberId: bigint): Promise<bigint[]> {
    const lists = (await this.listsHolding(ownerId, memberId)).map((l) => l.id);
    if (lists.length === 0) return [];
    await this.#db.deleteFrom("list_accounts").where("account_id", "=", memberId).where(sql<boolean>`list_id ${inIds(this.#db, lists)}`).execute();
    return lists;
  }
}
