import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Media attachments, as Mastodon's media_attachments: owned by the uploader, attached to one status (status_id,
 * set when the status is posted; the status's media_attachment_ids keeps their order). Files live in the media
 * store under unguessable keys; the raw upload is kept (upload_key) only until a job has processed it.
 */
export function media(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("media_attachments")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        // No foreign key: statuses are soft-deleted, and a deleted status's media are removed by their own cleanup.
        .addColumn("status_id", "bigint")
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("processing", "text", (c) => c.notNull())
        .addColumn("processing_error", "text")
        .addColumn("upload_key", "text")
        .addColumn("file_key", "text")
        .addColumn("file_content_type", "text")
        .addColumn("file_size", "bigint")
        .addColumn("small_key", "text")
        .addColumn("thumbnail_key", "text")
        .addColumn("meta", "text", (c) => c.notNull().defaultTo("{}"))
        .addColumn("description", "text")
        .addColumn("blurhash", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("media_attachments_account_id").on("media_attachments").columns(["account_id", "id"]).execute();
      await db.schema.createIndex("media_attachments_status_id").on("media_attachments").column("status_id").execute();
      await db.schema.createIndex("media_attachments_unattached").on("media_attachments").columns(["status_id", "created_at"]).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable("media_attachments").execute();
    },
  };
}
