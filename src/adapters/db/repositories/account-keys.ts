import type { Kysely } from "kysely";
import type { AccountKeys, AccountKeysRepository } from "../../../ports/repositories/account-keys.ts";
import type { Tables } from "../schema.ts";
import { toId, toNum } from "./convert.ts";

export class KyselyAccountKeysRepository implements AccountKeysRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async find(accountId: bigint): Promise<AccountKeys | null> {
    const r = await this.#db.selectFrom("account_keys").selectAll().where("account_id", "=", accountId).executeTakeFirst();
    if (!r) return null;
    return {
      accountId: toId(r.account_id),
      rsaPublicKey: r.rsa_public_key,
      rsaPrivateKey: r.rsa_private_key,
      ed25519PublicKey: r.ed25519_public_key,
      ed25519PrivateKey: r.ed25519_private_key,
      createdAt: toNum(r.created_at),
    };
  }

  async insertIfAbsent(keys: AccountKeys): Promise<boolean> {
    const r = await this.#db
      .insertInto("account_keys")
      .values({
        account_id: keys.accountId,
        rsa_public_key: keys.rsaPublicKey,
        rsa_private_key: keys.rsaPrivateKey,
        ed25519_public_key: keys.ed25519PublicKey,
        ed25519_private_key: keys.ed25519PrivateKey,
        created_at: keys.createdAt,
      })
      .onConflict((oc) => oc.column("account_id").doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
