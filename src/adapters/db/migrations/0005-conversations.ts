import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * A thread id on every status, as Mastodon's statuses.conversation_id: a reply inherits its parent's, a new
 * post starts its own (its own id). Muting a conversation and the direct-message conversations key on it.
 */
export function conversationIds(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("statuses").addColumn("conversation_id", "bigint").execute();
      await db.schema.createIndex("statuses_conversation_id").on("statuses").column("conversation_id").execute();
      await db.schema.createIndex("statuses_reblog_of_id").on("statuses").column("reblog_of_id").execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex("statuses_reblog_of_id").execute();
      await db.schema.dropIndex("statuses_conversation_id").execute();
      await db.schema.alterTable("statuses").dropColumn("conversation_id").execute();
    },
  };
}
