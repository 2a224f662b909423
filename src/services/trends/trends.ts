import { z } from "zod";
import { canView } from "../../domain/visibility.ts";
import { findUrls } from "../../domain/text-format.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { JobContract } from "../../ports/job-queue.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { DayUse } from "../../ports/repositories/discovery.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";

const DAY_MS = 86_400_000;
/** Trends look back a week, the span of the `history` Mastodon shows. */
const WINDOW_DAYS = 7;
/** How many recent public statuses one computation reads at most (links and statuses). */
const MAX_CANDIDATES = 5_000;
/** What each list keeps; pages are cut from it. */
const MAX_ITEMS = 200;
/**
 * A tag or link trends once this many different people used it in the window: one account repeating itself is
 * not a trend (Mastodon's own threshold is higher, tuned for large servers).
 */
export const MIN_TREND_ACCOUNTS = 2;
/** Kept well past the job's period, so a missed run leaves the last trends in place rather than none. */
const TRENDS_CACHE_MS = 60 * 60_000;
const TRENDS_KEY = "trends:v1";

export interface TrendDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** A trending tag or link with its week of use, newest day first. */
export interface TrendingItem {
  readonly name: string;
  /** Tags: the id and the normalized name (the tag page's key). */
  readonly id?: string;
  readonly key?: string;
  readonly history: readonly DayUse[];
}

/** One computation's result. */
export interface Trends {
  readonly computedAt: number;
  /** Status ids, most interacted with first. */
  readonly statuses: readonly string[];
  readonly tags: readonly TrendingItem[];
  /** Links: `name` is the URL. */
  readonly links: readonly TrendingItem[];
}

/** The periodic job that recomputes trends (DEFAULT_SCHEDULE). */
export const refreshTrendsJob: JobContract<{ period: string }> = {
  name: "refresh-trends",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 30_000 },
};

function weekOf(uses: Map<number, { uses: number; accounts: Set<bigint> | number }>, today: number): DayUse[] {
  return Array.from({ length: WINDOW_DAYS }, (_, i) => {
    const day = today - i * DAY_MS;
    const u = uses.get(day);
    return { day, uses: u?.uses ?? 0, accounts: u === undefined ? 0 : typeof u.accounts === "number" ? u.accounts : u.accounts.size };
  });
}

/** Ranks items by distinct accounts over the window, then uses; keeps those at or over the threshold. */
function rank(items: { item: TrendingItem; accounts: number; uses: number }[]): TrendingItem[] {
  return items
    .filter((x) => x.accounts >= MIN_TREND_ACCOUNTS)
    .sort((a, b) => b.accounts - a.accounts || b.uses - a.uses || a.item.name.localeCompare(b.item.name))
    .slice(0, MAX_ITEMS)
    .map((x) => x.item);
}

/**
 * Computes trending statuses, tags and links from the last week of public local statuses by discoverable
 * authors, and stores them in the cache for the trends endpoints.
 */
export async function refreshTrends(deps: TrendDeps): Promise<Trends> {
  const now = deps.clock.now();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const since = today - (WINDOW_DAYS - 1) * DAY_MS;
  const discovery = deps.db.repos.discovery;
  const [candidates, tagUse, tagAccounts] = await Promise.all([
    discovery.recentPublicStatuses(since, MAX_CANDIDATES),
    discovery.tagUseByDay(since),
    discovery.tagAccounts(since),
  ]);

  // Statuses: favourites and boosts, halved for every day of age, so a new post can overtake an old favourite.
  const statuses = candidates
    .filter((c) => c.score > 0)
    .map((c) => ({ id: c.id, rank: c.score * 0.5 ** ((now - c.createdAt) / DAY_MS) }))
    .sort((a, b) => b.rank - a.rank || (b.id > a.id ? 1 : -1))
    .slice(0, MAX_ITEMS)
    .map((c) => String(c.id));

  const tags = new Map<string, { name: string; key: string; days: Map<number, { uses: number; accounts: number }>; uses: number }>();
  for (const row of tagUse) {
    const key = String(row.tagId);
    const t = tags.get(key) ?? { name: row.name, key: row.nameLower, days: new Map(), uses: 0 };
    t.days.set(row.day, { uses: row.uses, accounts: row.accounts });
    t.uses += row.uses;
    tags.set(key, t);
  }
  const tagItems = [...tags].map(([id, t]) => ({
    item: { id, name: t.name, key: t.key, history: weekOf(t.days, today) },
    accounts: tagAccounts.get(BigInt(id)) ?? 0,
    uses: t.uses,
  }));

  const links = new Map<string, { days: Map<number, { uses: number; accounts: Set<bigint> }>; accounts: Set<bigint>; uses: number }>();
  for (const c of candidates) {
    const day = Math.floor(c.createdAt / DAY_MS) * DAY_MS;
    for (const url of new Set(findUrls(c.text).map((u) => u.url))) {
      const l = links.get(url) ?? { days: new Map(), accounts: new Set(), uses: 0 };
      const d = l.days.get(day) ?? { uses: 0, accounts: new Set<bigint>() };
      d.uses++;
      d.accounts.add(c.accountId);
      l.days.set(day, d);
      l.accounts.add(c.accountId);
      l.uses++;
      links.set(url, l);
    }
  }
  const linkItems = [...links].map(([url, l]) => ({ item: { name: url, history: weekOf(l.days, today) }, accounts: l.accounts.size, uses: l.uses }));

  const trends: Trends = { computedAt: now, statuses, tags: rank(tagItems), links: rank(linkItems) };
  await deps.cache.set(TRENDS_KEY, JSON.stringify(trends), TRENDS_CACHE_MS);
  return trends;
}

/** The current trends: the job's last result, or computed now when the cache has none (first start, flushed). */
export async function currentTrends(deps: TrendDeps): Promise<Trends> {
  const cached = await deps.cache.get(TRENDS_KEY);
  if (cached) {
    try {
      return JSON.parse(cached) as Trends;
    } catch {
      // Recomputed below.
    }
  }
  return refreshTrends(deps);
}

/**
 * A page of trending statuses that `viewerId` may see in a feed: the visibility policy decides, and authors the
 * viewer mutes are left out too, as Mastodon's trends do.
 */
export async function trendingStatuses(deps: TrendDeps, viewerId: bigint | null, offset: number, limit: number): Promise<StatusRecord[]> {
  const trends = await currentTrends(deps);
  const repos = deps.db.repos;
  const out: StatusRecord[] = [];
  // Statuses may have been deleted or hidden since the computation: read ahead in chunks until the page is full.
  let skipped = 0;
  for (let at = 0; at < trends.statuses.length && out.length < limit; at += 40) {
    const ids = trends.statuses.slice(at, at + 40).map((s) => BigInt(s));
    const found = new Map((await repos.statuses.findByIds(ids)).map((s) => [s.id, s]));
    const authors = new Map((await repos.accounts.findByIds([...new Set([...found.values()].map((s) => s.accountId))])).map((a) => [a.id, a]));
    const relations = viewerId === null ? null : await repos.relationships.relationships(viewerId, [...authors.keys()], deps.clock.now());
    for (const id of ids) {
      const s = found.get(id);
      const author = s && authors.get(s.accountId);
      if (!s || !author || !shown(author)) continue;
      if (viewerId !== null) {
        const r = relations!.get(author.id);
        const facts = {
          isAuthor: author.id === viewerId,
          followsAuthor: r?.following != null,
          mentioned: false,
          blockedByAuthor: r?.blockedBy ?? false,
          blocksAuthor: r?.blocking ?? false,
          domainBlocksAuthor: r?.domainBlocking ?? false,
        };
        if (!canView(s.visibility, facts, "feed") || (r?.muting && !facts.isAuthor)) continue;
      } else if (!canView(s.visibility, null, "feed")) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push(s);
      if (out.length >= limit) break;
    }
  }
  return out;
}

function shown(a: AccountRecord): boolean {
  return a.suspendedAt === null && a.silencedAt === null && (a.user === null || (a.user.confirmed && a.user.approved && !a.user.disabled));
}
