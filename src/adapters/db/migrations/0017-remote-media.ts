import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * The remote media cache. media_attachments.remote_url (as Mastodon's) is the file on the origin server; a row
 * with one is a remote attachment whose file_key/small_key are the local cache, null while it is not cached
 * (never fetched, or removed by the cleanup). last_used_at is when the cache was last filled or viewed: the
 * retention cleanup (MEDIA_CACHE_RETENTION_PERIOD) removes files not used since, keeping the row. Remote
 * accounts' avatars and headers keep their origin URLs beside the cached avatar_key/header_key, with the same
 * last-used time for `herd admin media remove --prune-profiles`.
 */
export function remoteMedia(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("media_attachments").addColumn("remote_url", "text").execute();
      await db.schema.alterTable("media_attachments").addColumn("last_used_at", "bigint").execute();
      await db.schema.createIndex("media_attachments_remote_cache").on("media_attachments").columns(["last_used_at", "id"]).execute();
      await db.schema.alterTable("accounts").addColumn("avatar_remote_url", "text").execute();
      await db.schema.alterTable("accounts").addColumn("header_remote_url", "text").execute();
      await db.schema.alterTable("accounts").addColumn("profile_media_used_at", "bigint").execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable("accounts").dropColumn("profile_media_used_at").execute();
      await db.schema.alterTable("accounts").dropColumn("header_remote_url").execute();
      await db.schema.alterTable("accounts").dropColumn("avatar_remote_url").execute();
      await db.schema.dropIndex("media_attachments_remote_cache").execute();
      await db.schema.alterTable("media_attachments").dropColumn("last_used_at").execute();
      await db.schema.alterTable("media_attachments").dropColumn("remote_url").execute();
    },
  };
}
