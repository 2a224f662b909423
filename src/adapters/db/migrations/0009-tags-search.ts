import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseEngine } from "../../../ports/database.ts";

/**
 * Hashtags (tags, the statuses that carry them, followed and featured tags) and the full-text index of
 * statuses. The index is the one engine-specific table: an FTS5 table without stored content on SQLite (its
 * rowid is the status id), a tsvector column with a GIN index on PostgreSQL.
 */
export function tagsSearch(engine: DatabaseEngine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("tags")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        // As first written (display); name_lower is the normalized key every lookup uses.
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("name_lower", "text", (c) => c.notNull().unique())
        // Moderation flags, as Mastodon's: null means not reviewed yet.
        .addColumn("usable", "boolean")
        .addColumn("trendable", "boolean")
        .addColumn("listable", "boolean")
        .addColumn("reviewed_at", "bigint")
        .addColumn("requested_review_at", "bigint")
        .addColumn("last_status_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("status_tags")
        // An id of its own, so `herd admin db copy` can page the table by a single-column key.
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
        .addColumn("tag_id", "bigint", (c) => c.notNull().references("tags.id").onDelete("cascade"))
        .execute();
      await db.schema.createIndex("status_tags_pair").unique().on("status_tags").columns(["status_id", "tag_id"]).execute();
      await db.schema.createIndex("status_tags_tag_id").on("status_tags").columns(["tag_id", "status_id"]).execute();

      await db.schema
        .createTable("tag_follows")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("tag_id", "bigint", (c) => c.notNull().references("tags.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("tag_follows_pair").unique().on("tag_follows").columns(["account_id", "tag_id"]).execute();
      await db.schema.createIndex("tag_follows_tag_id").on("tag_follows").column("tag_id").execute();

      await db.schema
        .createTable("featured_tags")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("tag_id", "bigint", (c) => c.notNull().references("tags.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("featured_tags_pair").unique().on("featured_tags").columns(["account_id", "tag_id"]).execute();

      if (engine === "sqlite") {
        // Contentless: the text lives in statuses; contentless_delete lets a status leave the index by rowid.
        await sql`CREATE VIRTUAL TABLE status_search USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
      } else {
        await db.schema
          .createTable("status_search")
          .addColumn("status_id", "bigint", (c) => c.primaryKey().references("statuses.id").onDelete("cascade"))
          .addColumn("document", sql`tsvector`, (c) => c.notNull())
          .execute();
        await sql`CREATE INDEX status_search_document ON status_search USING gin (document)`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      for (const t of ["status_search", "featured_tags", "tag_follows", "status_tags", "tags"]) await db.schema.dropTable(t).execute();
    },
  };
}
