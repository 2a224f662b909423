import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Filters as Mastodon 4 keeps them: a filter (title, contexts, action, expiry) owns keywords and statuses. The
 * deprecated v1 API shows each keyword as a filter of its own, so there is no separate v1 table.
 */
export function filters(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("custom_filters")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("title", "text", (c) => c.notNull())
        // JSON array of contexts ("home", "public", …): read whole with the filter, never queried by SQL.
        .addColumn("context", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull().defaultTo("warn"))
        .addColumn("expires_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      // Every timeline page asks for the viewer's filters: this index keeps that one cheap lookup.
      await db.schema.createIndex("custom_filters_account_id").on("custom_filters").columns(["account_id", "id"]).execute();

      await db.schema
        .createTable("custom_filter_keywords")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("filter_id", "bigint", (c) => c.notNull().references("custom_filters.id").onDelete("cascade"))
        .addColumn("keyword", "text", (c) => c.notNull())
        .addColumn("whole_word", "boolean", (c) => c.notNull().defaultTo(true))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("custom_filter_keywords_filter_id").on("custom_filter_keywords").columns(["filter_id", "id"]).execute();

      await db.schema
        .createTable("custom_filter_statuses")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("filter_id", "bigint", (c) => c.notNull().references("custom_filters.id").onDelete("cascade"))
        .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("custom_filter_statuses_pair").unique().on("custom_filter_statuses").columns(["filter_id", "status_id"]).execute();
      await db.schema.createIndex("custom_filter_statuses_status_id").on("custom_filter_statuses").column("status_id").execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ["custom_filter_statuses", "custom_filter_keywords", "custom_filters"]) await db.schema.dropTable(t).execute();
    },
  };
}
