import { sql, type Kysely } from "kysely";
import type { Visibility } from "../../../domain/profile.ts";
import type { DeletedStatusRef, FederationRecipientsRepository } from "../../../ports/repositories/federation-recipients.ts";
import { inIds } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toId, toIdOrNull } from "./convert.ts";

export class KyselyFederationRecipientsRepository implements FederationRecipientsRepository {
  readonly #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async followerInboxes(accountId: bigint, shared: boolean): Promise<string[]> {
    const inbox = shared ? sql<string>`coalesce(a.shared_inbox_url, a.inbox_url)` : sql<string>`a.inbox_url`;
    const rows = await this.#db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .select(inbox.as("inbox"))
      .distinct()
      .where("f.target_account_id", "=", accountId)
      // Only the remote followers' rows are joined (the partial index of migration 0024), not every local one.
      .where(sql<boolean>`f.remote_follower = true`)
      .where("a.inbox_url", "is not", null)
      .where("a.suspended_at", "is", null)
      .execute();
    return rows.map((r) => r.inbox);
  }

  async inboxesOf(accountIds: readonly bigint[], shared: boolean): Promise<string[]> {
    if (accountIds.length === 0) return [];
    const inbox = shared ? sql<string>`coalesce(shared_inbox_url, inbox_url)` : sql<string>`inbox_url`;
    const rows = await this.#db
      .selectFrom("accounts")
      .select(inbox.as("inbox"))
      .distinct()
      .where(sql<boolean>`id ${inIds(this.#db, accountIds)}`)
      .where("domain", "is not", null)
      .where("inbox_url", "is not", null)
      .execute();
    return rows.map((r) => r.inbox);
  }

  async hasRemoteFollowers(accountId: bigint): Promise<boolean> {
    // The literal (not a bound true) lets SQLite's planner match the partial index of migration 0024.
    const row = await this.#db
      .selectFrom("follows")
      .select("id")
      .where("target_account_id", "=", accountId)
      .where(sql<boolean>`remote_follower = true`)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async accountsWithInbox(inbox: string): Promise<{ id: bigint; uri: string | null }[]> {
    const rows = await this.#db
      .selectFrom("accounts")
      .select(["id", "uri"])
      .where("inbox_url", "=", inbox)
      .where("domain", "is not", null)
      .where("suspended_at", "is", null)
      .limit(100)
      .execute();
    return rows.map((r) => ({ id: toId(r.id), uri: r.uri }));
  }

  async statusRef(id: bigint): Promise<DeletedStatusRef | null> {
    const row = await this.#db
      .selectFrom("statuses")
      .select(["id", "account_id", "visibility", "reblog_of_id", "in_reply_to_account_id"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    const mentions = await this.#db.selectFrom("mentions").select("account_id").where("status_id", "=", id).execute();
    return {
      id: toId(row.id),
      accountId: toId(row.account_id),
      visibility: row.visibility as Visibility,
      reblogOfId: toIdOrNull(row.reblog_of_id),
      inReplyToAccountId: toIdOrNull(row.in_reply_to_account_id),
      mentionIds: mentions.map((m) => toId(m.account_id)),
    };
  }
}
