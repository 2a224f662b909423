import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Progress of `herd admin media migrate`: one row per media key, written after the key's object is safely in the
 * destination (or was found missing at the source, or failed). A run killed at any point resumes from these rows.
 * The row names the destination store (`s3://bucket@endpoint`, `local:/path`), so a later migration to another
 * store starts afresh; one key, one row (a single-column primary key, which `herd admin db copy` pages by).
 */
export function mediaMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("media_migration_keys")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("destination", "text", (c) => c.notNull())
        // copied, present (already in the destination), missing (not at the source) or failed.
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("size", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable("media_migration_keys").execute();
    },
  };
}
