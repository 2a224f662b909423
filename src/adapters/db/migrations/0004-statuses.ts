import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Statuses (local posts; boosts and remote posts will share the table), their mentions and profile pins.
 * Local statuses store the plain source text and render HTML on output, as local bios do.
 */
export function statuses(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("statuses")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("spoiler_text", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("sensitive", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("language", "text")
        // No foreign keys on the reply and boost links: a parent may be deleted (or never fetched) while the
        // child stays, as in Mastodon.
        .addColumn("in_reply_to_id", "bigint")
        .addColumn("in_reply_to_account_id", "bigint")
        .addColumn("reblog_of_id", "bigint")
        .addColumn("uri", "text")
        .addColumn("url", "text")
        .addColumn("application_id", "bigint")
        .addColumn("replies_count", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("reblogs_count", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("favourites_count", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("media_attachment_ids", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("edited_at", "bigint")
        .addColumn("deleted_at", "bigint")
        .execute();
      await db.schema.createIndex("statuses_account_id").on("statuses").columns(["account_id", "id"]).execute();
      await db.schema.createIndex("statuses_in_reply_to_id").on("statuses").column("in_reply_to_id").execute();

      await db.schema
        .createTable("mentions")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .execute();
      await db.schema.createIndex("mentions_pair").unique().on("mentions").columns(["status_id", "account_id"]).execute();
      await db.schema.createIndex("mentions_account_id").on("mentions").column("account_id").execute();

      await db.schema
        .createTable("status_pins")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("status_pins_pair").unique().on("status_pins").columns(["account_id", "status_id"]).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ["status_pins", "mentions", "statuses"]) await db.schema.dropTable(t).execute();
    },
  };
}
