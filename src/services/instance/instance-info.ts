import type { InstanceCounts, WeekActivity } from "../../ports/repositories/instance.ts";
import { coveringDomains } from "../federation/domain-policy.ts";
import { INSTANCE_CACHE_KEYS } from "./cache-jobs.ts";
import type { InstanceDeps } from "./deps.ts";

/** Mastodon caches the instance entities; so does Herd, for a minute (admin changes drop the copy at once). */
export const INSTANCE_CACHE_MS = 60_000;
const MONTH_MS = 30 * 86_400_000;
const WEEK_MS = 7 * 86_400_000;

/** What the instance entities are rendered from. */
export interface InstanceSnapshot {
  /** Settings that have a value, with when they were set. */
  readonly settings: Readonly<Record<string, { readonly value: string; readonly updatedAt: number }>>;
  readonly rules: readonly { readonly id: string; readonly text: string; readonly hint: string }[];
  readonly counts: InstanceCounts;
  /** The contact account: site_contact_username, else the first owner or admin. */
  readonly contactAccountId: string | null;
}

/** The snapshot, from the cache when a fresh one is there. */
export async function instanceSnapshot(deps: InstanceDeps): Promise<InstanceSnapshot> {
  const cached = await deps.cache.get(INSTANCE_CACHE_KEYS.snapshot);
  if (cached) {
    try {
      return JSON.parse(cached) as InstanceSnapshot;
    } catch {
      // A damaged entry is recomputed.
    }
  }
  const repos = deps.db.repos;
  const [settings, rules, counts] = await Promise.all([
    repos.instance.settings(),
    repos.instance.listRules(),
    repos.instance.counts(deps.clock.now() - MONTH_MS),
  ]);
  const snapshot: InstanceSnapshot = {
    settings: Object.fromEntries(settings),
    rules: rules.map((r) => ({ id: String(r.id), text: r.text, hint: r.hint })),
    counts,
    contactAccountId: await contactAccount(deps, settings.get("site_contact_username")?.value ?? null),
  };
  await deps.cache.set(INSTANCE_CACHE_KEYS.snapshot, JSON.stringify(snapshot), INSTANCE_CACHE_MS);
  return snapshot;
}

async function contactAccount(deps: InstanceDeps, username: string | null): Promise<string | null> {
  const repos = deps.db.repos;
  if (username) {
    const named = await repos.accounts.findLocalByUsername(username);
    if (named && !named.disabled) return String(named.accountId);
  }
  // As Mastodon falls back to the owner.
  const staff = await repos.instance.firstStaffAccount();
  return staff === null ? null : String(staff);
}

/** Distinct domains of known remote accounts, without the suspended ones (a block covers subdomains). */
export async function instancePeers(deps: InstanceDeps): Promise<string[]> {
  const [peers, blocks] = await Promise.all([deps.db.repos.instance.peers(), deps.db.repos.domainModeration.listBlocks()]);
  const suspended = new Set(blocks.filter((b) => b.severity === "suspend").map((b) => b.domain));
  if (suspended.size === 0) return peers;
  return peers.filter((p) => !coveringDomains(p).some((d) => suspended.has(d)));
}

/**
 * Twelve weeks of activity, this week first, as Mastodon's /instance/activity. Weeks start on Monday 00:00 UTC.
 * Logins count each user once, in the week of their latest sign-in (Herd keeps no sign-in history).
 */
export async function instanceActivity(deps: InstanceDeps): Promise<WeekActivity[]> {
  const now = deps.clock.now();
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  const weekday = (new Date(today).getUTCDay() + 6) % 7;
  const thisWeek = today - weekday * 86_400_000;
  const starts = Array.from({ length: 12 }, (_, i) => thisWeek - (11 - i) * WEEK_MS);
  return (await deps.db.repos.instance.weeklyActivity(starts)).reverse();
}
