import type { Kysely } from "kysely";
import type { Repositories } from "../../../ports/repositories/index.ts";
import type { Tables } from "../schema.ts";
import { KyselyAccountsRepository } from "./accounts.ts";
import { KyselyOAuthRepository } from "./oauth.ts";

/** Binds every repository to one connection or transaction. Cheap: repositories hold only the handle. */
export function createRepositories(db: Kysely<Tables>): Repositories {
  return {
    accounts: new KyselyAccountsRepository(db),
    oauth: new KyselyOAuthRepository(db),
  };
}
