import { uniqueMark } from "../cache/unique-mark.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Database } from "../../ports/database.ts";
import type { FilterAction, FilterWithRules } from "../../ports/repositories/filters.ts";
import { compileFilter, type CompiledFilter } from "./filter-match.ts";

/**
 * The viewer's unexpired filters, cached as JSON so that a page of statuses costs one cache read and no query
 * (most viewers have none: the cached "[]"). Same discipline as the account cache: writers leave a unique
 * tombstone after commit, and a reader stores what it loaded only if the entry is still what it saw before
 * going to the database, so a load that raced a change never puts the old filters back.
 */
const TTL_MS = 10 * 60_000;
const TOMBSTONE_TTL_MS = 30_000;
const TOMBSTONE = "~";
const key = (accountId: bigint) => `filters:v1:${accountId}`;

type Cached = {
  id: string;
  title: string;
  context: string[];
  action: FilterAction;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  keywords: [id: string, keyword: string, wholeWord: boolean][];
  statuses: [id: string, statusId: string][];
};

function encode(filters: readonly FilterWithRules[]): string {
  const out: Cached[] = filters.map((f) => ({
    id: String(f.id),
    title: f.title,
    context: [...f.context],
    action: f.action,
    expiresAt: f.expiresAt,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    keywords: f.keywords.map((k) => [String(k.id), k.keyword, k.wholeWord]),
    statuses: f.statuses.map((s) => [String(s.id), String(s.statusId)]),
  }));
  return JSON.stringify(out);
}

function decode(accountId: bigint, json: string): FilterWithRules[] | null {
  try {
    const raw = JSON.parse(json) as Cached[];
    if (!Array.isArray(raw)) return null;
    return raw.map((f) => {
      const id = BigInt(f.id);
      return {
        id,
        accountId,
        title: f.title,
        context: f.context,
        action: f.action,
        expiresAt: f.expiresAt,
        createdAt: f.createdAt,
        updatedAt: f.updatedAt,
        keywords: f.keywords.map(([kid, keyword, wholeWord]) => ({ id: BigInt(kid), filterId: id, keyword, wholeWord })),
        statuses: f.statuses.map(([sid, statusId]) => ({ id: BigInt(sid), filterId: id, statusId: BigInt(statusId) })),
      };
    });
  } catch {
    return null;
  }
}

// Compiled regular expressions for recently seen filter sets, keyed by their cached JSON: a busy process reads
// the same viewers' filters page after page. Bounded in entries and entry size; the oldest entry goes first.
const COMPILED_MAX = 512;
const COMPILED_MAX_JSON = 32_768;
const compiled = new Map<string, CompiledFilter[]>();

function compiledFor(accountId: bigint, json: string, filters?: readonly FilterWithRules[]): CompiledFilter[] {
  const memoKey = `${accountId}:${json}`;
  const hit = compiled.get(memoKey);
  if (hit) return hit;
  const list = (filters ?? decode(accountId, json) ?? []).map(compileFilter);
  if (json.length > COMPILED_MAX_JSON) return list;
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(memoKey, list);
  return list;
}

/**
 * The viewer's filters that had not expired when loaded, compiled. With a cache: one cache read on a hit, one
 * indexed query on a miss; without one, the query every time.
 */
export async function viewerFilters(deps: { readonly db: Database; readonly cache?: Cache }, accountId: bigint, now: number): Promise<CompiledFilter[]> {
  if (!deps.cache) return (await deps.db.repos.filters.activeRules(accountId, now)).map(compileFilter);
  const seen = await deps.cache.get(key(accountId));
  if (seen !== null && !seen.startsWith(TOMBSTONE)) return compiledFor(accountId, seen);
  const filters = await deps.db.repos.filters.activeRules(accountId, now);
  const json = encode(filters);
  await deps.cache.compareAndSet(key(accountId), seen, json, TTL_MS);
  return compiledFor(accountId, json, filters);
}

/** Invalidates the cached filters of these accounts. Call after the change has committed. */
export async function forgetFilters(cache: Cache, accountIds: Iterable<bigint>): Promise<void> {
  const unique = [...new Set([...accountIds].map(String))];
  await Promise.all(unique.map((id) => cache.set(key(BigInt(id)), TOMBSTONE + uniqueMark(), TOMBSTONE_TTL_MS)));
}
