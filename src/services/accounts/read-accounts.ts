import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { storableText } from "../../domain/text-format.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";

/** What read-only account queries use. */
export interface AccountReadDeps {
  readonly db: Database;
  readonly clock: Clock;
}

/** Local accounts whose owner has not confirmed their address or been approved do not exist to others yet. */
function isPublished(account: AccountRecord): boolean {
  return account.user === null || (account.user.confirmed && account.user.approved);
}

/** An account as GET /accounts/:id shows it (suspended ones included, rendered as such); null when unknown. */
export async function findAccount(deps: AccountReadDeps, id: bigint): Promise<AccountRecord | null> {
  const account = await deps.db.repos.accounts.findById(id);
  return account && isPublished(account) ? account : null;
}

/** The published accounts among `ids`, in the order asked, each once. */
export async function findAccounts(deps: AccountReadDeps, ids: readonly bigint[]): Promise<AccountRecord[]> {
  const unique = [...new Set(ids)];
  const byId = new Map((await deps.db.repos.accounts.findByIds(unique)).map((a) => [a.id, a]));
  return unique.map((id) => byId.get(id)).filter((a): a is AccountRecord => a !== undefined && isPublished(a));
}

/**
 * The username an address names on this instance: `alice`, `@alice`, `alice@localDomain` or
 * `@alice@localDomain`; null for another domain or a malformed address.
 */
export function localUsernameOf(acct: string, localDomain: string): string | null {
  const parts = acct.trim().replace(/^@/, "").split("@");
  if (parts.length > 2 || !/^[a-z0-9_.-]+$/i.test(parts[0])) return null;
  if (parts.length === 2 && parts[1].toLowerCase() !== localDomain.toLowerCase()) return null;
  return parts[0];
}

/** GET /accounts/lookup: a local account by address, without WebFinger. */
export async function lookupAccount(deps: AccountReadDeps, acct: string, localDomain: string): Promise<AccountRecord | null> {
  const username = localUsernameOf(acct, localDomain);
  if (username === null) return null;
  const account = await deps.db.repos.accounts.findLocalRecord(username);
  return account && isPublished(account) ? account : null;
}

export interface AccountSearchInput {
  readonly q: string;
  readonly limit: number;
  readonly offset: number;
  /** Only accounts the viewer follows. */
  readonly following: boolean;
  /** This instance's domain: `alice@localDomain` searches for alice. */
  readonly localDomain: string;
}

/**
 * GET /accounts/search over local accounts: username prefix or display-name word prefix. A full address on this
 * instance searches its username; addresses on other domains find nothing until federation can resolve them.
 */
export async function searchAccounts(deps: AccountReadDeps, viewerId: bigint, input: AccountSearchInput): Promise<AccountRecord[]> {
  const q = storableText(input.q).trim().replace(/^@/, "");
  if (q === "") return [];
  let query = q;
  if (q.includes("@")) {
    const username = localUsernameOf(q, input.localDomain);
    if (username === null) return [];
    query = username;
  }
  return deps.db.repos.accounts.searchLocal({
    query,
    limit: input.limit,
    offset: input.offset,
    followedBy: input.following ? viewerId : undefined,
  });
}
