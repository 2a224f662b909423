import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * The key pairs actors sign with: an RSA-2048 pair (draft-cavage HTTP signatures, `publicKey`) and an Ed25519
 * pair (FEP-8b32 object proofs, `assertionMethod`), one row per local account, plus the instance actor's under
 * account id 0 (it has no accounts row). Private keys live only here. The primary key makes the first writer win
 * when a key job and an on-demand request race.
 */
export function federationKeys(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("account_keys")
        .addColumn("account_id", "bigint", (c) => c.primaryKey())
        .addColumn("rsa_public_key", "text", (c) => c.notNull())
        .addColumn("rsa_private_key", "text", (c) => c.notNull())
        .addColumn("ed25519_public_key", "text", (c) => c.notNull())
        .addColumn("ed25519_private_key", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable("account_keys").execute();
    },
  };
}
