import type { AccountsRepository } from "./accounts.ts";
import type { OAuthRepository } from "./oauth.ts";
import type { RelationshipsRepository } from "./relationships.ts";
import type { SessionsRepository } from "./sessions.ts";
import type { StatusesRepository } from "./statuses.ts";
import type { UsersRepository } from "./users.ts";

/** Every repository, bound to one connection or transaction. Services reach the database only through these. */
export interface Repositories {
  readonly accounts: AccountsRepository;
  readonly oauth: OAuthRepository;
  readonly relationships: RelationshipsRepository;
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly statuses: StatusesRepository;
}
