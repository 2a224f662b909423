import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Delivery state, as Mastodon's DeliveryFailureTracker and UnavailableDomain keep it. delivery_domains holds a
 * row only for domains that failed since their last success: failure_days counts distinct UTC days with a
 * failure, and unavailable_since is set once it reaches the threshold (deliveries stop, probes continue); a
 * success clears both. delivery_gone_inboxes lists inboxes that answered 410 Gone, for the code that removes
 * their actors to consume.
 */
export function deliveryState(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("delivery_domains")
        .addColumn("domain", "text", (c) => c.primaryKey())
        .addColumn("failure_days", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("first_failure_at", "bigint")
        .addColumn("last_failure_at", "bigint")
        .addColumn("last_success_at", "bigint")
        .addColumn("unavailable_since", "bigint")
        .execute();
      await db.schema
        .createTable("delivery_gone_inboxes")
        .addColumn("inbox", "text", (c) => c.primaryKey())
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("gone_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("delivery_gone_inboxes_gone_at").on("delivery_gone_inboxes").columns(["gone_at"]).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable("delivery_gone_inboxes").execute();
      await db.schema.dropTable("delivery_domains").execute();
    },
  };
}
