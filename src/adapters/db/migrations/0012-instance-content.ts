import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * What the operator publishes about the instance and its people: settings (title, description, policies),
 * server rules, custom emojis, announcements with their reactions and dismissals, and the follow suggestions a
 * user dismissed.
 */
export function instanceContent(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("instance_settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("instance_rules")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("hint", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("custom_emojis")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("shortcode", "text", (c) => c.notNull())
        // Null for this instance's own emojis; remote ones (federation) carry their domain.
        .addColumn("domain", "text")
        .addColumn("image_key", "text", (c) => c.notNull())
        .addColumn("static_key", "text", (c) => c.notNull())
        .addColumn("category", "text")
        .addColumn("visible_in_picker", "boolean", (c) => c.notNull().defaultTo(true))
        .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      // Shortcodes are case-sensitive in Mastodon (:Blobcat: and :blobcat: may both exist). Nulls never collide in
      // a unique index, so local emojis get their own partial one.
      await db.schema.createIndex("custom_emojis_local_shortcode").unique().on("custom_emojis").column("shortcode").where(sql.ref("domain"), "is", null).execute();
      await db.schema.createIndex("custom_emojis_remote_shortcode").unique().on("custom_emojis").columns(["domain", "shortcode"]).execute();

      await db.schema
        .createTable("announcements")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("starts_at", "bigint")
        .addColumn("ends_at", "bigint")
        .addColumn("all_day", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("published", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("published_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("announcement_reactions")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("announcement_id", "bigint", (c) => c.notNull().references("announcements.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("custom_emoji_id", "bigint", (c) => c.references("custom_emojis.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("announcement_reactions_unique")
        .unique()
        .on("announcement_reactions")
        .columns(["announcement_id", "account_id", "name"])
        .execute();

      await db.schema
        .createTable("announcement_mutes")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("announcement_id", "bigint", (c) => c.notNull().references("announcements.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("announcement_mutes_pair").unique().on("announcement_mutes").columns(["account_id", "announcement_id"]).execute();

      await db.schema
        .createTable("suggestion_dismissals")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("suggestion_dismissals_pair").unique().on("suggestion_dismissals").columns(["account_id", "target_account_id"]).execute();

      // The directory and suggestions read discoverable accounts only.
      await db.schema.createIndex("accounts_discoverable_last_status").on("accounts").columns(["discoverable", "last_status_at"]).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("accounts_discoverable_last_status").execute();
      for (const t of ["suggestion_dismissals", "announcement_mutes", "announcement_reactions", "announcements", "custom_emojis", "instance_rules", "instance_settings"])
        await db.schema.dropTable(t).execute();
    },
  };
}
