import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Reports. A Flag from a remote server becomes one row: the reported (local) account, the statuses it names,
 * the comment; the reporter is null because Mastodon sends Flags from its instance actor, which is no account
 * here. The Flag's id is unique (partial: reports made here, later, have none), so a replayed Flag adds nothing.
 */
export function reports(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("reports")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.references("accounts.id").onDelete("set null"))
        .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("status_ids", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("uri", "text")
        .addColumn("forwarded", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("reports_uri").unique().on("reports").column("uri").where(sql<boolean>`uri is not null`).execute();
      await db.schema.createIndex("reports_target_account_id").on("reports").columns(["target_account_id", "id"]).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable("reports").execute();
    },
  };
}
