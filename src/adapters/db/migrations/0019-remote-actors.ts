import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Remote actors. A remote account row keeps what delivery and moderation need from its actor document (inboxes,
 * collections, type, aliases, the account it moved to) and when that document was last fetched, so a fresh
 * account is answered from the row and a stale one is fetched again. The actor id (uri) names one row: a unique
 * index, partial because local accounts have none. Remote statuses are likewise one row per object id. Follows
 * and follow requests keep the id of their Follow activity, which Accept, Reject and Undo refer to.
 */
export function remoteActors(): Migration {
  return {
    async up(db: Kysely<any>) {
      const accountColumns: [string, "text" | "bigint"][] = [
        ["inbox_url", "text"],
        ["shared_inbox_url", "text"],
        ["outbox_url", "text"],
        ["followers_url", "text"],
        ["following_url", "text"],
        ["featured_url", "text"],
        ["featured_tags_url", "text"],
        ["actor_type", "text"],
        ["fetched_at", "bigint"],
        ["moved_to_account_id", "bigint"],
        ["also_known_as", "text"],
      ];
      for (const [name, type] of accountColumns) await db.schema.alterTable("accounts").addColumn(name, type).execute();
      await db.schema.createIndex("accounts_uri").unique().on("accounts").column("uri").where(sql<boolean>`uri is not null`).execute();
      // Moves are looked up from the old account to the new one and back (followers moving, the new one's aliases).
      await db.schema.createIndex("accounts_moved_to").on("accounts").column("moved_to_account_id").where(sql<boolean>`moved_to_account_id is not null`).execute();
      await db.schema.createIndex("statuses_uri").unique().on("statuses").column("uri").where(sql<boolean>`uri is not null`).execute();
      for (const table of ["follows", "follow_requests"]) {
        await db.schema.alterTable(table).addColumn("uri", "text").execute();
        await db.schema.createIndex(`${table}_uri`).on(table).column("uri").where(sql<boolean>`uri is not null`).execute();
      }
    },
    async down(db: Kysely<any>) {
      for (const table of ["follow_requests", "follows"]) {
        await db.schema.dropIndex(`${table}_uri`).execute();
        await db.schema.alterTable(table).dropColumn("uri").execute();
      }
      await db.schema.dropIndex("statuses_uri").execute();
      await db.schema.dropIndex("accounts_moved_to").execute();
      await db.schema.dropIndex("accounts_uri").execute();
      for (const name of ["also_known_as", "moved_to_account_id", "fetched_at", "actor_type", "featured_tags_url", "featured_url", "following_url", "followers_url", "outbox_url", "shared_inbox_url", "inbox_url"])
        await db.schema.alterTable("accounts").dropColumn(name).execute();
    },
  };
}
