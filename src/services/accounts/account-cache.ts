import { uniqueMark } from "../cache/unique-mark.ts";
import type { Cache } from "../../ports/cache.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";

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

/** Invalidates the cached renderings and records of these accounts. Call after the change has committed. */
export async function forgetAccounts(cache: Cache, accountIds: Iterable<bigint>): Promise<void> {
  // One round trip however many accounts: every post forgets its author. (Bigints are primitives: a Set dedupes them.)
  await cache.setMany(
    [...new Set(accountIds)].flatMap((id) => [
      { key: key(id), value: TOMBSTONE + uniqueMark(), ttlMs: TOMBSTONE_TTL_MS },
      { key: epochKey(id), value: uniqueMark(), ttlMs: EPOCH_TTL_MS },
    ]),
  );
}

/*
 * Account records for rendering statuses (the author and mentioned accounts of every status on a page) are kept
 * in each process's memory, checked against a per-account epoch in the shared Cache: forgetAccounts gives the
 * account a new epoch, so a record read before a change is never served after it, whichever process changed it.
 * A page costs one getMany of epochs (memory, or one Redis MGET) instead of a database query for its authors.
 * The epoch outlives any local entry (a day against ten minutes), so an epoch that expired cannot make an old
 * entry look current.
 */
const EPOCH_TTL_MS = 86_400_000;
const RECORD_MAX_AGE_MS = 600_000;
const RECORDS_MAX = 20_000;
const epochKey = (id: bigint) => `account:epoch:${id}`;
const records = new Map<bigint, { readonly epoch: string | null; readonly record: AccountRecord; readonly at: number }>();

/**
 * Account records by id, from this process's memory where the shared epoch says they are current, else from
 * `load` (which must read committed rows). Missing accounts are simply absent from the result.
 */
export async function cachedAccountRecords(
  cache: Cache,
  ids: readonly bigint[],
  load: (ids: readonly bigint[]) => Promise<AccountRecord[]>,
  now = Date.now(),
): Promise<Map<bigint, AccountRecord>> {
  const out = new Map<bigint, AccountRecord>();
  if (ids.length === 0) return out;
  const epochs = await cache.getMany(ids.map(epochKey));
  const missing: bigint[] = [];
  ids.forEach((id, i) => {
    const hit = records.get(id);
    if (hit && hit.epoch === epochs[i] && now - hit.at < RECORD_MAX_AGE_MS) out.set(id, hit.record);
    else missing.push(id);
  });
  if (missing.length === 0) return out;
  const epochOf = new Map(ids.map((id, i) => [id, epochs[i]]));
  for (const record of await load(missing)) {
    out.set(record.id, record);
    records.delete(record.id);
    records.set(record.id, { epoch: epochOf.get(record.id) ?? null, record, at: now });
    if (records.size > RECORDS_MAX) records.delete(records.keys().next().value!);
  }
  return out;
}
