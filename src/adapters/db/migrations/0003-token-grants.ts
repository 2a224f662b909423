import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Links each access token to the authorization code it descends from (through refresh rotations), so a replayed
 * code revokes exactly those tokens (RFC 6749 §4.1.2).
 */
export function tokenGrants(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("oauth_access_tokens").addColumn("grant_id", "bigint").execute();
      await db.schema.createIndex("oauth_access_tokens_grant_id").on("oauth_access_tokens").column("grant_id").execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("oauth_access_tokens_grant_id").execute();
      await db.schema.alterTable("oauth_access_tokens").dropColumn("grant_id").execute();
    },
  };
}
