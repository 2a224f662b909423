import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Notifications, the per-account notification policy, the requests that group filtered notifications per sender,
 * the senders an account let through (accepted requests), and read markers (home, notifications).
 */
export function notifications(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("notifications")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("from_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("type", "text", (c) => c.notNull())
        // No foreign key: a deleted status removes its notifications in the deleting transaction (soft delete).
        .addColumn("status_id", "bigint")
        // The duplicate key: the status id, or 0 for notifications about no status (follows), so that the same
        // event recorded twice meets the unique index (NULLs never collide in one).
        .addColumn("activity_key", "bigint", (c) => c.notNull())
        // Null for ungrouped and filtered notifications (rendered "ungrouped-<id>"), as Mastodon stores it.
        .addColumn("group_key", "text")
        .addColumn("filtered", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("notifications_event")
        .unique()
        .on("notifications")
        .columns(["account_id", "type", "from_account_id", "activity_key"])
        .execute();
      await db.schema.createIndex("notifications_account_id").on("notifications").columns(["account_id", "filtered", "id"]).execute();
      await db.schema.createIndex("notifications_group_key").on("notifications").columns(["account_id", "group_key", "id"]).execute();
      // The latest group of a kind (a status's favourites, the follows), whose hour bucket a new one may join.
      await db.schema.createIndex("notifications_latest_kind").on("notifications").columns(["account_id", "type", "activity_key", "id"]).execute();
      await db.schema.createIndex("notifications_status_id").on("notifications").column("status_id").execute();
      await db.schema.createIndex("notifications_from_account_id").on("notifications").columns(["from_account_id", "account_id"]).execute();

      await db.schema
        .createTable("notification_policies")
        .addColumn("account_id", "bigint", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
        .addColumn("for_not_following", "text", (c) => c.notNull())
        .addColumn("for_not_followers", "text", (c) => c.notNull())
        .addColumn("for_new_accounts", "text", (c) => c.notNull())
        .addColumn("for_private_mentions", "text", (c) => c.notNull())
        .addColumn("for_limited_accounts", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("notification_requests")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("from_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("last_status_id", "bigint")
        .addColumn("notifications_count", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("notification_requests_pair")
        .unique()
        .on("notification_requests")
        .columns(["account_id", "from_account_id"])
        .execute();

      await db.schema
        .createTable("notification_permissions")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("from_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("notification_permissions_pair")
        .unique()
        .on("notification_permissions")
        .columns(["account_id", "from_account_id"])
        .execute();

      await db.schema
        .createTable("markers")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("timeline", "text", (c) => c.notNull())
        .addColumn("last_read_id", "bigint", (c) => c.notNull())
        .addColumn("version", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("markers_account_timeline").unique().on("markers").columns(["account_id", "timeline"]).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ["markers", "notification_permissions", "notification_requests", "notification_policies", "notifications"])
        await db.schema.dropTable(t).execute();
    },
  };
}
