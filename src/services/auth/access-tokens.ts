import type { Cache } from "../../ports/cache.ts";
import type { Database } from "../../ports/database.ts";
import type { AccessToken } from "../../ports/repositories/oauth.ts";
import { hashSecret } from "./tokens.ts";

export interface TokenDeps {
  readonly db: Database;
  readonly cache: Cache;
}

/** A valid token as requests see it. */
export interface ResolvedToken {
  readonly tokenId: bigint;
  readonly applicationId: bigint | null;
  readonly userId: bigint | null;
  readonly accountId: bigint | null;
  readonly scopes: readonly string[];
}

// Short enough that a token revoked behind Herd's back (a manual SQL delete) dies soon; revocations made through
// Herd delete the entry at once, in the cache every process shares.
const TTL_MS = 5 * 60_000;
const key = (tokenHash: string) => `token:${tokenHash}`;

interface Cached {
  t: string;
  a: string | null;
  u: string | null;
  c: string | null;
  s: string[];
}

/**
 * The token's owner and scopes, or null for an unknown, revoked or disabled user's token. Every API request
 * asks this, so it reads the shared cache first (one GET) and the database only on a miss.
 */
export async function resolveAccessToken(deps: TokenDeps, bearer: string): Promise<ResolvedToken | null> {
  if (bearer.length === 0 || bearer.length > 512) return null;
  const tokenHash = hashSecret(bearer);
  const hit = await deps.cache.get(key(tokenHash));
  if (hit !== null) {
    if (hit === "") return null;
    const c = JSON.parse(hit) as Cached;
    return {
      tokenId: BigInt(c.t),
      applicationId: c.a === null ? null : BigInt(c.a),
      userId: c.u === null ? null : BigInt(c.u),
      accountId: c.c === null ? null : BigInt(c.c),
      scopes: c.s,
    };
  }
  const token = await deps.db.repos.oauth.findActiveTokenByHash(tokenHash);
  // Unknown tokens are cached too (as ""), briefly, so a client hammering with a dead token costs no queries.
  await deps.cache.set(key(tokenHash), token ? JSON.stringify(toCached(token)) : "", token ? TTL_MS : 30_000);
  return token ? fromToken(token) : null;
}

/** Forgets cached resolutions of these token hashes: call after revoking tokens or disabling their user. */
export async function forgetTokens(cache: Cache, tokenHashes: readonly string[]): Promise<void> {
  await Promise.all(tokenHashes.map((h) => cache.delete(key(h))));
}

function toCached(t: AccessToken): Cached {
  return {
    t: String(t.id),
    a: t.applicationId === null ? null : String(t.applicationId),
    u: t.userId === null ? null : String(t.userId),
    c: t.accountId === null ? null : String(t.accountId),
    s: [...t.scopes],
  };
}

function fromToken(t: AccessToken): ResolvedToken {
  return { tokenId: t.id, applicationId: t.applicationId, userId: t.userId, accountId: t.accountId, scopes: t.scopes };
}
