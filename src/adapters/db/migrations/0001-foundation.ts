import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseEngine } from "../../../ports/database.ts";

/** Accounts, users, OAuth, the job table (queue and outbox), leases and the id-block sequence. */
export function foundation(engine: DatabaseEngine): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("accounts")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("username_lower", "text", (c) => c.notNull())
        .addColumn("domain", "text")
        .addColumn("display_name", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("locked", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("bot", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      // Local accounts have a null domain; COALESCE makes (username, local) unique on both engines, where a
      // plain unique index would let NULL domains repeat.
      await sql`CREATE UNIQUE INDEX accounts_username_domain ON accounts (username_lower, COALESCE(domain, ''))`.execute(db);

      await db.schema
        .createTable("users")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("email_lower", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull().defaultTo("user"))
        .addColumn("confirmed_at", "bigint")
        .addColumn("approved", "boolean", (c) => c.notNull().defaultTo(true))
        .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("locale", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("users_account_id").unique().on("users").column("account_id").execute();

      await db.schema
        .createTable("oauth_applications")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("client_id", "text", (c) => c.notNull().unique())
        .addColumn("client_secret_hash", "text", (c) => c.notNull())
        .addColumn("redirect_uris", "text", (c) => c.notNull())
        .addColumn("scopes", "text", (c) => c.notNull())
        .addColumn("website", "text")
        .addColumn("owner_user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("oauth_access_tokens")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("application_id", "bigint", (c) => c.references("oauth_applications.id").onDelete("cascade"))
        .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
        .addColumn("scopes", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema.createIndex("oauth_access_tokens_user_id").on("oauth_access_tokens").column("user_id").execute();

      await db.schema
        .createTable("jobs")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("queue", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("max_attempts", "integer", (c) => c.notNull())
        .addColumn("backoff_ms", "integer", (c) => c.notNull())
        .addColumn("run_at", "bigint", (c) => c.notNull())
        .addColumn("locked_until", "bigint")
        .addColumn("locked_by", "text")
        .addColumn("dedup_key", "text")
        .addColumn("last_error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("failed_at", "bigint")
        .execute();
      // Workers claim waiting jobs by queue and due time; the reaper looks for expired active locks.
      await db.schema.createIndex("jobs_claim").on("jobs").columns(["state", "queue", "run_at"]).execute();
      // A partial unique index: at most one *waiting* job per dedup key (both engines support WHERE here).
      await db.schema
        .createIndex("jobs_dedup_waiting")
        .unique()
        .on("jobs")
        .column("dedup_key")
        .where(sql<boolean>`state = 'waiting'`)
        .execute();

      await db.schema
        .createTable("leases")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();

      // Id blocks: PostgreSQL has sequences; SQLite gets a one-row-per-counter table.
      if (engine === "postgres") {
        await sql`CREATE SEQUENCE herd_id_blocks`.execute(db);
      } else {
        await db.schema
          .createTable("counters")
          .addColumn("name", "text", (c) => c.primaryKey())
          .addColumn("value", "bigint", (c) => c.notNull())
          .execute();
      }
    },
    async down(db: Kysely<any>) {
      for (const t of ["leases", "jobs", "oauth_access_tokens", "oauth_applications", "users", "accounts"])
        await db.schema.dropTable(t).execute();
      if (engine === "postgres") await sql`DROP SEQUENCE herd_id_blocks`.execute(db);
      else await db.schema.dropTable("counters").execute();
    },
  };
}
