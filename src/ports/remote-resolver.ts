import type { AccountRecord } from "./repositories/accounts.ts";

/**
 * Finds remote accounts and posts on other servers for services that take user input naming them (search with
 * `resolve=true`, lookups). Implemented by federation (WebFinger and ActivityPub fetches through the guarded HTTP
 * client); a service without one resolves nothing remote. Implementations never throw for remote trouble
 * (refused address, timeout, 404, a document that is not an actor): they answer null.
 */
export interface RemoteResolver {
  /**
   * The account named by `query`, fetched and stored (or refreshed when stale): a handle (`@user@host`,
   * `user@host`, `acct:user@host`) or an actor URL. Null when nothing valid is found there.
   */
  resolveAccount(query: string): Promise<AccountRecord | null>;
  /** The id of the stored status at `url` (fetched and stored when unknown); null when there is none. */
  resolveStatus?(url: string): Promise<bigint | null>;
}
