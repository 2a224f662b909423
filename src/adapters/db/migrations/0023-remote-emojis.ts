import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Remote custom emojis, as Mastodon's custom_emojis rows of other domains: the image's URL at its origin and the
 * Emoji's ActivityPub id. Herd links remote emojis rather than copying them, so their image_key and static_key
 * stay empty ('' rather than null: SQLite cannot drop the NOT NULL of 0012 without rebuilding the table). The
 * (domain, shortcode) unique index of 0012 already makes one row per shortcode and domain.
 */
export function remoteEmojis(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("custom_emojis").addColumn("image_remote_url", "text").execute();
      await db.schema.alterTable("custom_emojis").addColumn("uri", "text").execute();
    },
    async down(db: Kysely<any>) {
      await db.deleteFrom("custom_emojis").where("domain", "is not", null).execute();
      await db.schema.alterTable("custom_emojis").dropColumn("uri").execute();
      await db.schema.alterTable("custom_emojis").dropColumn("image_remote_url").execute();
    },
  };
}
