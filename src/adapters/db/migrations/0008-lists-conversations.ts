import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Lists (and their members), direct-message conversations per account, and the index the public timelines
 * read. The public index is partial, so it holds only what those timelines can show (public, not deleted) and
 * a page is a short ordered scan on both engines. Boosts stay in it (few, and filtered on the scan): with
 * `reblog_of_id is null` in the predicate SQLite would prefer the reblog_of_id index and sort.
 */
export function listsAndConversations(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("lists")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("title", "text", (c) => c.notNull())
        // followed, list or none, as Mastodon's lists.replies_policy.
        .addColumn("replies_policy", "text", (c) => c.notNull().defaultTo("list"))
        .addColumn("exclusive", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("lists_account_id").on("lists").columns(["account_id", "id"]).execute();

      await db.schema
        .createTable("list_accounts")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("list_id", "bigint", (c) => c.notNull().references("lists.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .execute();
      await db.schema.createIndex("list_accounts_pair").unique().on("list_accounts").columns(["list_id", "account_id"]).execute();
      // Fan-out asks "which lists hold this author".
      await db.schema.createIndex("list_accounts_account_id").on("list_accounts").column("account_id").execute();

      await db.schema
        .createTable("account_conversations")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("conversation_id", "bigint", (c) => c.notNull())
        // Sorted ids of the other participants, joined by spaces: part of the key, as Mastodon's array column.
        .addColumn("participant_account_ids", "text", (c) => c.notNull())
        // JSON array of the thread's direct status ids this account takes part in, oldest first.
        .addColumn("status_ids", "text", (c) => c.notNull())
        .addColumn("last_status_id", "bigint", (c) => c.notNull())
        .addColumn("unread", "boolean", (c) => c.notNull().defaultTo(false))
        .execute();
      await db.schema
        .createIndex("account_conversations_key")
        .unique()
        .on("account_conversations")
        .columns(["account_id", "conversation_id", "participant_account_ids"])
        .execute();
      await db.schema.createIndex("account_conversations_page").on("account_conversations").columns(["account_id", "last_status_id"]).execute();

      await db.schema
        .createIndex("statuses_public_timeline")
        .on("statuses")
        .column("id")
        .where(sql<boolean>`visibility = 'public' and deleted_at is null`)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("statuses_public_timeline").execute();
      for (const t of ["account_conversations", "list_accounts", "lists"]) await db.schema.dropTable(t).execute();
    },
  };
}
