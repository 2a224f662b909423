import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Instance-wide domain moderation: domain_blocks (severity silence, suspend or noop, with Mastodon's options) and
 * domain_allows (the only domains federated with under LIMITED_FEDERATION_MODE). Domains are stored lower-case in
 * punycode, so a plain unique index keeps one row per domain on both engines.
 */
export function domainModeration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("domain_blocks")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("reject_media", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("reject_reports", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("obfuscate", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("private_comment", "text")
        .addColumn("public_comment", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("domain_blocks_domain").unique().on("domain_blocks").column("domain").execute();

      await db.schema
        .createTable("domain_allows")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("domain_allows_domain").unique().on("domain_allows").column("domain").execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable("domain_allows").execute();
      await db.schema.dropTable("domain_blocks").execute();
    },
  };
}
