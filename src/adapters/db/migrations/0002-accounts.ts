import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseEngine } from "../../../ports/database.ts";

/**
 * Profiles, sign-in state, OAuth codes and refresh tokens, web sessions, and the relationships between accounts
 * (follows, follow requests, blocks, mutes, notes, endorsements, user-level domain blocks).
 */
export function accounts(_engine: DatabaseEngine): Migration {
  return {
    async up(db: Kysely<any>) {
      const addColumns: [string, string, (c: any) => any][] = [
        ["discoverable", "boolean", (c) => c],
        ["indexable", "boolean", (c) => c.notNull().defaultTo(false)],
        ["hide_collections", "boolean", (c) => c.notNull().defaultTo(false)],
        ["avatar_key", "text", (c) => c],
        ["header_key", "text", (c) => c],
        ["fields", "text", (c) => c.notNull().defaultTo("[]")],
        ["followers_count", "bigint", (c) => c.notNull().defaultTo(0)],
        ["following_count", "bigint", (c) => c.notNull().defaultTo(0)],
        ["statuses_count", "bigint", (c) => c.notNull().defaultTo(0)],
        ["last_status_at", "bigint", (c) => c],
        ["uri", "text", (c) => c],
        ["url", "text", (c) => c],
        ["suspended_at", "bigint", (c) => c],
        ["silenced_at", "bigint", (c) => c],
        ["memorial", "boolean", (c) => c.notNull().defaultTo(false)],
      ];
      for (const [name, type, build] of addColumns)
        await db.schema.alterTable("accounts").addColumn(name, type as any, build).execute();

      const userColumns: [string, string, (c: any) => any][] = [
        ["settings", "text", (c) => c.notNull().defaultTo("{}")],
        ["chosen_languages", "text", (c) => c],
        ["confirmation_token_hash", "text", (c) => c],
        ["confirmation_sent_at", "bigint", (c) => c],
        ["unconfirmed_email", "text", (c) => c],
        ["reset_password_token_hash", "text", (c) => c],
        ["reset_password_sent_at", "bigint", (c) => c],
        ["sign_up_ip", "text", (c) => c],
        ["approval_reason", "text", (c) => c],
        ["agreement_at", "bigint", (c) => c],
        ["last_sign_in_at", "bigint", (c) => c],
        ["created_by_application_id", "bigint", (c) => c],
      ];
      for (const [name, type, build] of userColumns)
        await db.schema.alterTable("users").addColumn(name, type as any, build).execute();
      await db.schema.createIndex("users_confirmation_token").unique().on("users").column("confirmation_token_hash").execute();
      await db.schema.createIndex("users_reset_password_token").unique().on("users").column("reset_password_token_hash").execute();

      await db.schema.alterTable("oauth_access_tokens").addColumn("refresh_token_hash", "text").execute();
      await db.schema.alterTable("oauth_access_tokens").addColumn("last_used_at", "bigint").execute();
      await db.schema.createIndex("oauth_access_tokens_refresh").unique().on("oauth_access_tokens").column("refresh_token_hash").execute();

      // Authorization codes (Doorkeeper's access grants): single use, ten minutes, PKCE challenge kept with them.
      await db.schema
        .createTable("oauth_access_grants")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("code_hash", "text", (c) => c.notNull().unique())
        .addColumn("application_id", "bigint", (c) => c.notNull().references("oauth_applications.id").onDelete("cascade"))
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("redirect_uri", "text", (c) => c.notNull())
        .addColumn("scopes", "text", (c) => c.notNull())
        .addColumn("code_challenge", "text")
        .addColumn("code_challenge_method", "text")
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("used_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("web_sessions")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("session_hash", "text", (c) => c.notNull().unique())
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("web_sessions_user_id").on("web_sessions").column("user_id").execute();

      // Account-to-account relations share a shape: who, whom, when; one row per pair.
      const pairTable = async (name: string, extra: (t: any) => any = (t) => t) => {
        let t = db.schema
          .createTable(name)
          .addColumn("id", "bigint", (c) => c.primaryKey())
          .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
          .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
          .addColumn("created_at", "bigint", (c) => c.notNull());
        t = extra(t);
        await t.execute();
        await db.schema.createIndex(`${name}_pair`).unique().on(name).columns(["account_id", "target_account_id"]).execute();
        await db.schema.createIndex(`${name}_target`).on(name).columns(["target_account_id", "id"]).execute();
      };
      const followOptions = (t: any) =>
        t
          .addColumn("show_reblogs", "boolean", (c: any) => c.notNull().defaultTo(true))
          .addColumn("notify", "boolean", (c: any) => c.notNull().defaultTo(false))
          .addColumn("languages", "text");
      await pairTable("follows", followOptions);
      await pairTable("follow_requests", followOptions);
      await pairTable("blocks");
      await pairTable("mutes", (t) =>
        t.addColumn("hide_notifications", "boolean", (c: any) => c.notNull().defaultTo(true)).addColumn("expires_at", "bigint"),
      );
      await pairTable("account_notes", (t) => t.addColumn("comment", "text", (c: any) => c.notNull()));
      await pairTable("account_pins");

      await db.schema
        .createTable("account_domain_blocks")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("account_domain_blocks_pair").unique().on("account_domain_blocks").columns(["account_id", "domain"]).execute();
      // Account search by username / display name prefix (local accounts).
      await db.schema.createIndex("accounts_display_name").on("accounts").column("display_name").execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ["account_domain_blocks", "account_pins", "account_notes", "mutes", "blocks", "follow_requests", "follows", "web_sessions", "oauth_access_grants"])
        await db.schema.dropTable(t).execute();
    },
  };
}
