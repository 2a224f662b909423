import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseEngine } from "../../../ports/database.ts";

/**
 * SQLite only. Its tables keyed by a `bigint primary key` keep the rows in rowid order, so a lookup by id is two
 * searches: the key's index, then the row. Every post's fan-out reads each local follower's account (is it
 * suspended?) and every home page the page's authors (suspended, or on a domain the viewer blocks); an index of
 * the id with those columns answers each from one search. The fan-out's read of an author's followers likewise
 * reads the follow rows themselves; their target index now carries what the fan-out reads. PostgreSQL's index
 * scans are not the cost there, so it is left as it is.
 */
export function sqliteCoveringIndexes(engine: DatabaseEngine): Migration {
  return {
    async up(db: Kysely<any>) {
      if (engine !== "sqlite") return;
      await db.schema.createIndex("accounts_standing").on("accounts").columns(["id", "domain", "suspended_at"]).execute();
      await db.schema.dropIndex("follows_target").execute();
      await db.schema
        .createIndex("follows_target")
        .on("follows")
        .columns(["target_account_id", "id", "account_id", "show_reblogs", "languages", "notify"])
        .execute();
    },
    async down(db: Kysely<any>) {
      if (engine !== "sqlite") return;
      await db.schema.dropIndex("accounts_standing").execute();
      await db.schema.dropIndex("follows_target").execute();
      await db.schema.createIndex("follows_target").on("follows").columns(["target_account_id", "id"]).execute();
    },
  };
}
