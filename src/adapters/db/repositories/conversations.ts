import type { Kysely } from "kysely";
import type { AccountConversationRecord, ConversationsRepository } from "../../../ports/repositories/conversations.ts";
import { isPostgres } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId } from "./convert.ts";

type Row = {
  id: bigint | string; account_id: bigint | string; conversation_id: bigint | string; participant_account_ids: string;
  status_ids: string; last_status_id: bigint | string; unread: boolean | number | bigint;
};

const participantsKey = (ids: readonly bigint[]) => [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(" ");

function parseIds(json: string): bigint[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map((x) => BigInt(x)) : [];
  } catch {
    return [];
  }
}

function toConversation(r: Row): AccountConversationRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    conversationId: toId(r.conversation_id),
    participantIds: r.participant_account_ids === "" ? [] : r.participant_account_ids.split(" ").map((x) => BigInt(x)),
    statusIds: parseIds(r.status_ids),
    lastStatusId: toId(r.last_status_id),
    unread: toBool(r.unread),
  };
}

const sortIds = (ids: readonly bigint[]) => [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** ConversationsRepository over Kysely. */
export class KyselyConversationsRepository implements ConversationsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  #select() {
    return this.#db.selectFrom("account_conversations").selectAll();
  }

  async addStatus(input: { id: bigint; accountId: bigint; conversationId: bigint; participantIds: readonly bigint[]; statusId: bigint; unread: boolean }): Promise<void> {
    const key = participantsKey(input.participantIds);
    await this.#db
      .insertInto("account_conversations")
      .values({
        id: input.id, account_id: input.accountId, conversation_id: input.conversationId, participant_account_ids: key,
        status_ids: "[]", last_status_id: input.statusId, unread: input.unread,
      })
      .onConflict((oc) => oc.columns(["account_id", "conversation_id", "participant_account_ids"]).doNothing())
      .execute();
    // Read and rewrite under a row lock on PostgreSQL (SQLite transactions are serial already).
    let q = this.#select()
      .where("account_id", "=", input.accountId)
      .where("conversation_id", "=", input.conversationId)
      .where("participant_account_ids", "=", key);
    if (isPostgres(this.#db)) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) return;
    const current = toConversation(row);
    if (current.statusIds.includes(input.statusId)) return;
    const ids = sortIds([...current.statusIds, input.statusId]);
    await this.#db
      .updateTable("account_conversations")
      .set({ status_ids: JSON.stringify(ids.map(String)), last_status_id: ids[ids.length - 1], unread: input.unread })
      .where("id", "=", current.id)
      .execute();
  }

  async holding(conversationId: bigint, statusId: bigint): Promise<AccountConversationRecord[]> {
    const rows = await this.#select().where("conversation_id", "=", conversationId).execute();
    return rows.map(toConversation).filter((c) => c.statusIds.includes(statusId));
  }

  async setStatuses(id: bigint, statusIds: readonly bigint[]): Promise<void> {
    const ids = sortIds(statusIds);
    if (ids.length === 0) {
      await this.#db.deleteFrom("account_conversations").where("id", "=", id).execute();
      return;
    }
    await this.#db
      .updateTable("account_conversations")
      .set({ status_ids: JSON.stringify(ids.map(String)), last_status_id: ids[ids.length - 1] })
      .where("id", "=", id)
      .execute();
  }

  async find(accountId: bigint, id: bigint): Promise<AccountConversationRecord | null> {
    const r = await this.#select().where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
    return r ? toConversation(r) : null;
  }

  async page(accountId: bigint, page: { maxId?: bigint; sinceId?: bigint; minId?: bigint; limit: number }): Promise<AccountConversationRecord[]> {
    const ascending = page.minId !== undefined;
    let q = this.#select().where("account_id", "=", accountId);
    if (page.maxId !== undefined) q = q.where("last_status_id", "<", page.maxId);
    if (page.minId !== undefined) q = q.where("last_status_id", ">", page.minId);
    else if (page.sinceId !== undefined) q = q.where("last_status_id", ">", page.sinceId);
    const rows = (await q.orderBy("last_status_id", ascending ? "asc" : "desc").limit(page.limit).execute()).map(toConversation);
    return ascending ? rows.reverse() : rows;
  }

  async markRead(accountId: bigint, id: bigint): Promise<void> {
    await this.#db.updateTable("account_conversations").set({ unread: false }).where("id", "=", id).where("account_id", "=", accountId).execute();
  }

  async delete(accountId: bigint, id: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("account_conversations").where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
