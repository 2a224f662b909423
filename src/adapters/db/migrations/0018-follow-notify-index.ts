import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Posting asks whether the author has any follower who wants a notification of each post (follows.notify); few
 * follows do, so a partial index answers at once even for an account with many followers.
 */
export function followNotifyIndex(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createIndex("follows_notify_target")
        .on("follows")
        .columns(["target_account_id", "id"])
        .where(sql<boolean>`notify = true`)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("follows_notify_target").execute();
    },
  };
}
