import type { AccountsRepository } from "./accounts.ts";
import type { OAuthRepository } from "./oauth.ts";

/** Every repository, bound to one connection or transaction. Services reach the database only through these. */
export interface Repositories {
  readonly accounts: AccountsRepository;
  readonly oauth: OAuthRepository;
}
