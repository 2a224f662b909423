import { randomBytes } from "node:crypto";
import type { Cache } from "../../ports/cache.ts";

/**
 * A short-lived cache of one rendering of an account (the owner's CredentialAccount), kept as the finished
 * JSON so the hottest endpoint costs two cache reads and no database query. Every write that changes what
 * the rendering shows (profile, settings, counts, pending requests) calls `forgetAccounts` after it commits.
 *
 * Forgetting writes a unique tombstone instead of deleting, and a reader stores its rendering only if the
 * entry is still what it read before going to the database (compare-and-set): a reader that loaded the old
 * row before a write committed can therefore never put the old rendering back after the write forgot it.
 */
const TTL_MS = 60_000;
// Longer than any request that might still be rendering from the old row.
const TOMBSTONE_TTL_MS = 30_000;
const TOMBSTONE = "~";
const key = (id: bigint) => `account:cred:${id}`;

/** What a reader found: the cached JSON, or the token to store its own rendering with. */
export type CachedRendering = { readonly json: string } | { readonly json: null; readonly seen: string | null };

/** Reads the cached rendering of `accountId`. */
export async function readCachedAccount(cache: Cache, accountId: bigint): Promise<CachedRendering> {
  const value = await cache.get(key(accountId));
  if (value !== null && !value.startsWith(TOMBSTONE)) return { json: value };
  return { json: null, seen: value };
}

/** Stores a rendering unless the account changed since `seen` was read (then the next reader renders afresh). */
export async function storeCachedAccount(cache: Cache, accountId: bigint, seen: string | null, json: string): Promise<void> {
  await cache.compareAndSet(key(accountId), seen, json, TTL_MS);
}

/** Invalidates the cached renderings of these accounts. Call after the change has committed. */
export async function forgetAccounts(cache: Cache, accountIds: Iterable<bigint>): Promise<void> {
  const unique = [...new Set([...accountIds].map(String))];
  await Promise.all(unique.map((id) => cache.set(key(BigInt(id)), TOMBSTONE + randomBytes(8).toString("hex"), TOMBSTONE_TTL_MS)));
}
