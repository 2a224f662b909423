import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * What accounts do to statuses: favourites, bookmarks, muted conversations, and the revisions of edited
 * statuses. Boosts are statuses (reblog_of_id); a partial unique index keeps one live boost per account and
 * status, so two concurrent boosts cannot both land.
 */
export function interactions(): Migration {
  return {
    async up(db: Kysely<any>) {
      for (const table of ["favourites", "bookmarks"]) {
        await db.schema
          .createTable(table)
          .addColumn("id", "bigint", (c) => c.primaryKey())
          .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
          .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        // The pair index also serves the viewer's own list (account_id first); the status index serves favourited_by.
        await db.schema.createIndex(`${table}_pair`).unique().on(table).columns(["account_id", "status_id"]).execute();
        await db.schema.createIndex(`${table}_account_id`).on(table).columns(["account_id", "id"]).execute();
        await db.schema.createIndex(`${table}_status_id`).on(table).columns(["status_id", "id"]).execute();
      }

      await db.schema
        .createTable("conversation_mutes")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("conversation_id", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("conversation_mutes_pair").unique().on("conversation_mutes").columns(["account_id", "conversation_id"]).execute();

      await db.schema
        .createTable("status_edits")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("spoiler_text", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("sensitive", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("language", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("status_edits_status_id").on("status_edits").columns(["status_id", "id"]).execute();

      await db.schema
        .createIndex("statuses_live_reblog")
        .unique()
        .on("statuses")
        .columns(["account_id", "reblog_of_id"])
        .where(sql.ref("reblog_of_id"), "is not", null)
        .where(sql.ref("deleted_at"), "is", null)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("statuses_live_reblog").execute();
      for (const t of ["status_edits", "conversation_mutes", "bookmarks", "favourites"]) await db.schema.dropTable(t).execute();
    },
  };
}
