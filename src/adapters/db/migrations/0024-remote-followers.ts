import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Every local post asks whether its author has a follower on another server (whether to federate it at all).
 * Answered by joining follows to accounts, that cost a row per local follower on every post; a flag on the
 * follow itself, set from the follower's domain when the row is written (an account never changes domain), and a
 * partial index over the few follows that have it answer with one index probe.
 */
export function remoteFollowers(): Migration {
  return {
    async up(db: Kysely<any>) {
      for (const table of ["follows", "follow_requests"]) {
        await db.schema.alterTable(table).addColumn("remote_follower", "boolean", (c) => c.notNull().defaultTo(false)).execute();
        await db
          .updateTable(table)
          .set({ remote_follower: true })
          .where("account_id", "in", db.selectFrom("accounts").select("id").where("domain", "is not", null))
          .execute();
      }
      await db.schema
        .createIndex("follows_remote_target")
        .on("follows")
        .columns(["target_account_id", "id"])
        .where(sql<boolean>`remote_follower = true`)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("follows_remote_target").execute();
      for (const table of ["follows", "follow_requests"]) await db.schema.alterTable(table).dropColumn("remote_follower").execute();
    },
  };
}
