import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { DeliveryDomainState, GoneInbox } from "../../ports/repositories/delivery-state.ts";

/**
 * The per-domain circuit breaker of outgoing delivery, after Mastodon's DeliveryFailureTracker: a domain whose
 * deliveries failed on this many distinct days without a success in between becomes unavailable. Counting days
 * rather than failures keeps one bad afternoon (or one busy queue retrying a thousand deliveries) from cutting a
 * server off; a week of silence does.
 */
export const FAILURE_DAYS_THRESHOLD = 7;
/** While a domain is unavailable, one delivery to it is let through this often to see whether it is back. */
export const PROBE_INTERVAL_MS = 6 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DeliveryStateDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** The start of the UTC day `now` falls in: failures are counted per day. */
export function utcDayStart(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

const probeKey = (domain: string) => `delivery:probe:${domain}`;

/**
 * Records a failed delivery to `domain`; returns the domain's state after it. When this failure opened the
 * breaker, the probe clock starts now, so the next probe comes one interval later.
 */
export async function recordDeliveryFailure(deps: DeliveryStateDeps, domain: string): Promise<DeliveryDomainState> {
  const now = deps.clock.now();
  const state = await deps.db.repos.deliveryState.recordFailure(domain, now, utcDayStart(now), FAILURE_DAYS_THRESHOLD);
  if (state.unavailableSince === now) await deps.cache.set(probeKey(domain), String(now), PROBE_INTERVAL_MS * 4);
  return state;
}

/** Records a successful delivery: a failing or unavailable domain is healthy again. True when that changed. */
export async function recordDeliverySuccess(deps: DeliveryStateDeps, domain: string): Promise<boolean> {
  return deps.db.repos.deliveryState.recordSuccess(domain, deps.clock.now());
}

/**
 * Proof that a domain is up from the other direction (Mastodon's track_inverse_success!): call it when a
 * signed activity from the domain was accepted, so an unavailable domain comes back without waiting for a probe.
 */
export async function recordDomainReachable(deps: DeliveryStateDeps, domain: string): Promise<boolean> {
  return recordDeliverySuccess(deps, domain);
}

/**
 * Claims the right to probe an unavailable domain: true for at most one caller per PROBE_INTERVAL_MS (the
 * claim is a compare-and-set in the shared cache, so several processes agree). A lost cache only means an early
 * probe.
 */
export async function claimDomainProbe(deps: DeliveryStateDeps, domain: string): Promise<boolean> {
  const now = deps.clock.now();
  const key = probeKey(domain);
  const last = await deps.cache.get(key);
  if (last !== null && Number.isFinite(Number(last)) && now - Number(last) < PROBE_INTERVAL_MS) return false;
  return deps.cache.compareAndSet(key, last, String(now), PROBE_INTERVAL_MS * 4);
}

/** Unavailable domains for `herd admin domains list --unavailable`, longest unavailable first. */
export async function listUnavailableDomains(db: Database): Promise<{ domain: string; since: number; lastFailureAt: number | null }[]> {
  const rows = await db.repos.deliveryState.listUnavailable();
  return rows.map((r) => ({ domain: r.domain, since: r.unavailableSince ?? 0, lastFailureAt: r.lastFailureAt }));
}

/** How many domains are unavailable now (the metrics gauge). */
export async function countUnavailableDomains(db: Database): Promise<number> {
  return db.repos.deliveryState.countUnavailable();
}

/** Inboxes that answered 410 Gone, oldest first, for the code that removes their actors. */
export async function listGoneInboxes(db: Database, limit = 100): Promise<GoneInbox[]> {
  return db.repos.deliveryState.listGoneInboxes(limit);
}

/** Forgets gone inboxes once their actors were dealt with. */
export async function forgetGoneInboxes(db: Database, inboxes: readonly string[]): Promise<number> {
  return db.repos.deliveryState.forgetGoneInboxes(inboxes);
}
