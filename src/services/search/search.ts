import { parseId } from "../../domain/ids.ts";
import { normalizeHashtag } from "../../domain/status-text.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { RemoteResolver } from "../../ports/remote-resolver.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import type { SearchIndex } from "../../ports/search.ts";
import { lookupAccount, searchAccounts } from "../accounts/read-accounts.ts";
import { findVisibleStatus } from "../statuses/read-statuses.ts";
import { visibleAmong } from "../statuses/status-visibility.ts";
import { parseSearchQuery } from "./terms.ts";

/** What searching needs. */
export interface SearchDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly search: SearchIndex;
  readonly localDomain: string;
  /** The instance's public URL: with `resolve`, URLs under it name local accounts and statuses. */
  readonly baseUrl: string;
  /** Finds remote accounts (and statuses) on their servers for `resolve`; absent, nothing remote is fetched. */
  readonly resolver?: RemoteResolver;
}

export type SearchType = "accounts" | "hashtags" | "statuses";

export interface SearchInput {
  readonly q: string;
  /**
   * Look a URL or an address up: this instance's URLs, and (for signed-in searchers, with a resolver) remote
   * addresses and URLs, fetched from their servers.
   */
  readonly resolve: boolean;
  /** Only this kind of result; with a type, `offset` pages it. */
  readonly type?: SearchType;
  /** Only accounts the searcher follows. */
  readonly following: boolean;
  /** Only statuses by this account. */
  readonly accountId?: bigint;
  /** Only hashtags a moderator reviewed (or the exact one asked for). */
  readonly excludeUnreviewed: boolean;
  readonly maxId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
  readonly offset: number;
}

export interface SearchResults {
  readonly accounts: AccountRecord[];
  readonly hashtags: TagRecord[];
  readonly statuses: StatusRecord[];
}

/**
 * The statuses among `candidates` the searcher may see in a list of results, in order: the visibility policy as
 * a feed applies it (so blocks of the author and domain blocks hide them too), and authors the searcher mutes
 * are left out, as Mastodon's StatusFilter does for search.
 */
async function visibleResults(deps: SearchDeps, viewerId: bigint, candidates: readonly bigint[]): Promise<StatusRecord[]> {
  const byId = new Map((await deps.db.repos.statuses.findByIds(candidates)).map((s) => [s.id, s]));
  const statuses = candidates.map((id) => byId.get(id)).filter((s): s is StatusRecord => s !== undefined);
  return visibleAmong(deps, viewerId, statuses, { context: "feed", hideMuted: true });
}

/**
 * GET /api/v2/search as Mastodon's SearchService. Accounts: username or display-name prefix (not for a `#tag`
 * query, nor for an address with spaces); a remote address (`@user@host`) puts that account first, fetched from
 * its server with `resolve` (signed-in searchers, through the resolver), else only when already stored. With
 * `resolve`, a URL is looked up instead of searched: this instance's, or another server's actor (or status). Hashtags: name prefix (not when the query holds `@`). Statuses, for signed-in searchers
 * only: full text over public statuses of indexable authors, their own and those mentioning them, newest first,
 * each checked by the visibility policy (words, `"phrases"`, `-excluded` words and `from:`, see terms.ts); a
 * single `#tag` or `@address` token does not search statuses.
 */
export async function search(deps: SearchDeps, viewerId: bigint | null, input: SearchInput): Promise<SearchResults> {
  const results: SearchResults = { accounts: [], hashtags: [], statuses: [] };
  const q = input.q.trim();
  if (q === "" || input.limit <= 0) return results;
  const wants = (type: SearchType) => input.type === undefined || input.type === type;
  // Offset pages only a search of one type, as in Mastodon.
  const offset = input.type === undefined ? 0 : input.offset;
  const oneToken = !/\s/.test(q);
  // With resolve, a URL is looked up and not searched for, as Mastodon's SearchService#url_query? decides.
  if (input.resolve && /^https?:\/\//i.test(q)) {
    if (offset > 0) return results;
    const found = (await resolveLocalUrl(deps, viewerId, q)) ?? (await resolveRemoteUrl(deps, viewerId, q, wants));
    if (found?.account && wants("accounts")) results.accounts.push(found.account);
    if (found?.status && wants("statuses")) results.statuses.push(found.status);
    return results;
  }
  const jobs: Promise<void>[] = [];
  if (wants("accounts") && !(q.startsWith("#") || (q.includes("@") && !oneToken)) && !(input.following && viewerId === null)) {
    jobs.push(
      (async () => {
        // The viewer id only matters with `following`, which needs a signed-in searcher (checked above).
        const [exact, found] = await Promise.all([
          offset === 0 ? remoteAddressMatch(deps, viewerId, q, input) : Promise.resolve(null),
          searchAccounts(deps, viewerId ?? 0n, { q, limit: input.limit, offset, following: input.following, localDomain: deps.localDomain }),
        ]);
        if (exact) results.accounts.push(exact);
        results.accounts.push(...found.filter((a) => a.id !== exact?.id).slice(0, exact ? input.limit - 1 : input.limit));
      })(),
    );
  }
  if (wants("hashtags") && !q.includes("@")) {
    const prefix = q.replace(/^[#＃]/, "");
    jobs.push(
      searchTags(deps, prefix, { limit: input.limit, offset, reviewedOnly: input.excludeUnreviewed }).then((t) => void results.hashtags.push(...t)),
    );
  }
  if (wants("statuses") && viewerId !== null && !((q.startsWith("#") || q.includes("@")) && oneToken)) {
    jobs.push(
      (async () => {
        const { terms, from } = parseSearchQuery(q);
        const author = await authorFilter(deps, viewerId, input.accountId, from);
        if (author === null) return;
        const ids = await deps.search.query({
          terms, viewerId, accountId: author, maxId: input.maxId, minId: input.minId, limit: input.limit, offset,
        });
        results.statuses.push(...(await visibleResults(deps, viewerId, ids)));
      })(),
    );
  }
  await Promise.all(jobs);
  return results;
}

/**
 * A URL of this instance naming an account (`/@alice`, `/users/alice`) or a status (`/@alice/123`,
 * `/users/alice/statuses/123`) the searcher may see; null for anything else.
 */
async function resolveLocalUrl(
  deps: SearchDeps,
  viewerId: bigint | null,
  raw: string,
): Promise<{ account?: AccountRecord; status?: StatusRecord } | null> {
  let url: URL, path: string;
  try {
    url = new URL(raw);
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (url.origin !== new URL(deps.baseUrl).origin) return null;
  const m = /^\/@([^/@]+)(?:\/(\d{1,20}))?\/?$/.exec(path) ?? /^\/users\/([^/]+)(?:\/statuses\/(\d{1,20}))?\/?$/.exec(path);
  if (!m) return null;
  const account = await lookupAccount(deps, m[1], deps.localDomain);
  if (!account || account.suspendedAt !== null) return null;
  if (m[2] === undefined) return { account };
  const id = parseId(m[2]);
  const found = id === null ? null : await findVisibleStatus(deps, id, viewerId);
  return found && found.author.id === account.id && found.status.reblogOfId === null ? { status: found.status } : null;
}

/** `@user@host` or `user@host` on another domain, split; null for anything else (local addresses included). */
function remoteAddress(deps: SearchDeps, q: string): { username: string; domain: string } | null {
  const m = /^@?([^@\s/:]+)@([^@\s/]+)$/.exec(q);
  if (!m) return null;
  let domain: string;
  try {
    domain = new URL(`https://${m[2]}/`).host;
  } catch {
    return null;
  }
  if (domain === deps.localDomain.toLowerCase() || domain === new URL(deps.baseUrl).host) return null;
  return { username: m[1], domain };
}

/**
 * The account a remote address names, as Mastodon's search puts it first: with `resolve`, a signed-in searcher
 * and a resolver, fetched from its server (or the stored one while fresh); otherwise only an account already
 * stored. Suspended accounts are left out; with `following`, so are accounts the searcher does not follow.
 */
async function remoteAddressMatch(deps: SearchDeps, viewerId: bigint | null, q: string, input: SearchInput): Promise<AccountRecord | null> {
  const address = remoteAddress(deps, q);
  if (address === null) return null;
  const account =
    input.resolve && viewerId !== null && deps.resolver
      ? await deps.resolver.resolveAccount(`${address.username}@${address.domain}`)
      : await deps.db.repos.accounts.findRemote(address.username, address.domain);
  if (!account || account.domain === null || account.suspendedAt !== null) return null;
  if (input.following && (viewerId === null || !(await deps.db.repos.relationships.findFollow(viewerId, account.id)))) return null;
  return account;
}

/**
 * A URL on another server, with `resolve`, for a signed-in searcher: the actor it names (fetched and stored), else
 * the status (when the resolver can fetch statuses) if the searcher may see it.
 */
async function resolveRemoteUrl(
  deps: SearchDeps,
  viewerId: bigint | null,
  url: string,
  wants: (type: SearchType) => boolean,
): Promise<{ account?: AccountRecord; status?: StatusRecord } | null> {
  const resolver = deps.resolver;
  if (!resolver || viewerId === null) return null;
  if (wants("accounts")) {
    const account = await resolver.resolveAccount(url);
    if (account && account.suspendedAt === null) return { account };
  }
  if (wants("statuses") && resolver.resolveStatus) {
    const id = await resolver.resolveStatus(url);
    const found = id === null ? null : await findVisibleStatus(deps, id, viewerId);
    if (found) return { status: found.status };
  }
  return null;
}

/**
 * The author statuses are limited to, from `account_id` and a `from:` operator (`me`, or a local address);
 * undefined for any author, null when nothing can match (an unknown author, or two different ones).
 */
async function authorFilter(deps: SearchDeps, viewerId: bigint, accountId: bigint | undefined, from: string | null): Promise<bigint | undefined | null> {
  if (from === null) return accountId;
  const named = from.toLowerCase() === "me" ? viewerId : ((await lookupAccount(deps, from, deps.localDomain))?.id ?? null);
  if (named === null || (accountId !== undefined && accountId !== named)) return null;
  return named;
}

/** Hashtags by name prefix, shortest first; a prefix that cannot be a tag finds nothing. */
async function searchTags(deps: SearchDeps, prefix: string, options: { limit: number; offset: number; reviewedOnly: boolean }): Promise<TagRecord[]> {
  const key = normalizeHashtag(prefix.trim());
  if (key === "") return [];
  return deps.db.repos.tags.searchByPrefix(key, options);
}
