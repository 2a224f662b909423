import type { Kysely } from "kysely";
import type { Repositories } from "../../../ports/repositories/index.ts";
import type { Tables } from "../schema.ts";
import { KyselyAccountsRepository } from "./accounts.ts";
import { KyselyOAuthRepository } from "./oauth.ts";
import { KyselyRelationshipsRepository } from "./relationships.ts";
import { KyselySessionsRepository } from "./sessions.ts";
import { KyselyStatusesRepository } from "./statuses.ts";
import { KyselyUsersRepository } from "./users.ts";

/** Binds every repository to one connection or transaction. Cheap: repositories hold only the handle. */
export function createRepositories(db: Kysely<Tables>): Repositories {
  return {
    accounts: new KyselyAccountsRepository(db),
    oauth: new KyselyOAuthRepository(db),
    relationships: new KyselyRelationshipsRepository(db),
    users: new KyselyUsersRepository(db),
    sessions: new KyselySessionsRepository(db),
    statuses: new KyselyStatusesRepository(db),
  };
}
