import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Polls (one per status, options in their own rows so each option's tally is an atomic increment), the votes
 * cast, and statuses scheduled for later (their parameters as JSON, published by a job at `scheduled_at`).
 */
export function pollsAndScheduled(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("polls")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("status_id", "bigint", (c) => c.notNull().references("statuses.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        // Null only for remote polls that never end.
        .addColumn("expires_at", "bigint")
        .addColumn("multiple", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("hide_totals", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("votes_count", "bigint", (c) => c.notNull().defaultTo(0))
        // Null when unknown (remote polls from servers that do not say); local polls start at 0.
        .addColumn("voters_count", "bigint")
        // Set once, by whoever ends the poll first: the end notifications go out exactly once.
        .addColumn("ended_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("polls_status_id").unique().on("polls").column("status_id").execute();
      // The sweep looks for polls past their end that nobody has ended yet.
      await db.schema
        .createIndex("polls_unended")
        .on("polls")
        .column("expires_at")
        .where(sql.ref("ended_at"), "is", null)
        .where(sql.ref("expires_at"), "is not", null)
        .execute();

      await db.schema
        .createTable("poll_options")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("poll_id", "bigint", (c) => c.notNull().references("polls.id").onDelete("cascade"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("votes_count", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex("poll_options_position").unique().on("poll_options").columns(["poll_id", "position"]).execute();

      await db.schema
        .createTable("poll_votes")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("poll_id", "bigint", (c) => c.notNull().references("polls.id").onDelete("cascade"))
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("choice", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      // One vote per account and option; also answers "which options did this account choose".
      await db.schema.createIndex("poll_votes_choice").unique().on("poll_votes").columns(["poll_id", "account_id", "choice"]).execute();
      await db.schema.createIndex("poll_votes_account_id").on("poll_votes").column("account_id").execute();

      await db.schema
        .createTable("scheduled_statuses")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("scheduled_at", "bigint", (c) => c.notNull())
        .addColumn("params", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("scheduled_statuses_account_id").on("scheduled_statuses").columns(["account_id", "id"]).execute();
      await db.schema.createIndex("scheduled_statuses_scheduled_at").on("scheduled_statuses").column("scheduled_at").execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ["scheduled_statuses", "poll_votes", "poll_options", "polls"]) await db.schema.dropTable(t).execute();
    },
  };
}
