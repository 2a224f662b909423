import { createHash } from "node:crypto";
import { z } from "zod";
import type { InstanceSettings } from "../../domain/instance.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database, Tx } from "../../ports/database.ts";
import { jobRequest, type JobContract, type JobRequest } from "../../ports/job-queue.ts";
import { claimDomainProbe } from "./delivery-state.ts";
import { isDomainRefused } from "./domain-policy.ts";

/**
 * One activity to one inbox. The body travels in the payload, against the rule that jobs carry ids: the lead's
 * federate job renders the activity once for all its inboxes, so a post to a thousand servers costs one render
 * and not a thousand, and a retry days later still sends what was true when it happened (a Delete whose status
 * row is gone by then could not be rendered again at all).
 */
export interface DeliverPayload {
  /** The inbox URL (a shared inbox when the recipient's server has one). */
  readonly inbox: string;
  /** The activity, as JSON text: signed and sent byte for byte. */
  readonly body: string;
  /** The local account that signs, or "0" for the instance actor (INSTANCE_ACTOR_KEY_ID). */
  readonly signerAccountId: string;
  /** 1 on the first try; each retry is a new job with attempt + 1. */
  readonly attempt: number;
  /** Set on the one delivery let through to an unavailable domain to see whether it is back. */
  readonly probe?: boolean;
}

/** Bytes of activity JSON a delivery may carry (Mastodon refuses larger inbox bodies too). */
export const MAX_ACTIVITY_BYTES = 1024 * 1024;

export const deliverJob: JobContract<DeliverPayload> = {
  name: "deliver",
  queue: "push",
  payload: z.object({
    inbox: z.string().max(2_048).refine(isHttpUrl, "an http(s) URL"),
    body: z.string().max(MAX_ACTIVITY_BYTES),
    signerAccountId: z.string().regex(/^\d{1,20}$/),
    attempt: z.number().int().min(1).max(100),
    probe: z.boolean().optional(),
  }),
  // Remote failures are retried by the handler on the delivery schedule (a new job per attempt), never by the
  // queue: these attempts are for Herd's own errors only (database down), which would otherwise lose the delivery.
  retry: { attempts: 4, backoffMs: 30_000 },
};

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** When to try again, and when to stop. */
export interface DeliverySchedule {
  /** Tries in all, counting the first. */
  readonly maxAttempts: number;
  /** The wait after failed try number `attempt` (1-based) before the next one. */
  retryDelayMs(attempt: number, random: () => number): number;
  /** The longest wait a 429's Retry-After may impose. */
  readonly retryAfterCapMs: number;
}

/**
 * Mastodon's: ActivityPub::DeliveryWorker retries 16 times on Sidekiq's default curve, (n^4 + 15 + rand(10)·(n+1))
 * seconds before retry n+1 (n from 0). That adds up to about 2.1 days of retries (the last waits ~14 hours);
 * a domain still failing on later days is then cut off by the circuit breaker (delivery-state.ts).
 */
export const MASTODON_DELIVERY_SCHEDULE: DeliverySchedule = {
  maxAttempts: 17,
  retryDelayMs(attempt, random) {
    const n = Math.max(0, attempt - 1);
    return (n ** 4 + 15 + Math.floor(random() * 10) * (n + 1)) * 1000;
  },
  retryAfterCapMs: 6 * 60 * 60 * 1000,
};

let schedule: DeliverySchedule = MASTODON_DELIVERY_SCHEDULE;

/** The schedule deliveries follow in this process. */
export function deliverySchedule(): DeliverySchedule {
  return schedule;
}

/**
 * Replaces the schedule (null restores Mastodon's), for tests and benchmarks that must see a week of retries in
 * milliseconds: delays are real queue delays, so they cannot be driven by a fake clock.
 */
export function setDeliverySchedule(next: DeliverySchedule | null): void {
  schedule = next ?? MASTODON_DELIVERY_SCHEDULE;
}

/** What a delivery attempt came to. */
export type DeliveryOutcome =
  /** 2xx: delivered. */
  | "delivered"
  /** 410: the inbox is gone; counts as delivered (nothing to retry), recorded for the actor's removal. */
  | "gone"
  /** Another 4xx: the remote refused it for good; no retry. */
  | "rejected"
  /** 5xx, 401, 408, 429, 3xx, timeout or network error: another attempt is scheduled. */
  | "retry"
  /** As retry, but attempts are used up (or the domain became unavailable): given up. */
  | "failed"
  /** Not attempted: the domain is unavailable and this was not a probe. */
  | "unavailable"
  /** Not attempted: the domain is suspended, or not allowed under limited federation. */
  | "refused"
  /** Not attempted: the signing account is gone or not local. */
  | "no_signer";

/** Counts outcomes (metrics); the composition root passes one in JobDeps as `deliveries`. */
export interface DeliveryObserver {
  delivered(outcome: DeliveryOutcome, attempt: number): void;
}

/** How a response (or a failure to get one) is treated: before attempts and the breaker are considered. */
export type ResponseVerdict =
  | { readonly kind: "delivered" }
  | { readonly kind: "gone" }
  | { readonly kind: "rejected" }
  /** `countsAsFailure`: the domain looks down (not merely busy), which feeds the circuit breaker. */
  | { readonly kind: "retry"; readonly countsAsFailure: boolean; readonly retryAfterMs?: number };

/**
 * A response status to a verdict, as Mastodon's DeliveryWorker judges them: success for 2xx, given up for a 4xx
 * other than 401 (the remote may have failed to fetch our key: Mastodon retries it), 408 and 429, retried
 * otherwise. 429 (and 503) honour Retry-After; a 429 is not held against the domain: it answered.
 */
export function judgeResponse(status: number, retryAfter: string | null, now: number, capMs: number): ResponseVerdict {
  if (status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 410) return { kind: "gone" };
  if (status === 429) {
    const ms = parseRetryAfter(retryAfter, now);
    return { kind: "retry", countsAsFailure: false, ...(ms === null ? {} : { retryAfterMs: Math.min(ms, capMs) }) };
  }
  if (status >= 400 && status < 500 && status !== 401 && status !== 408) return { kind: "rejected" };
  // A 503 may say when to come back (maintenance); it still counts as the domain being down.
  const ms = status === 503 ? parseRetryAfter(retryAfter, now) : null;
  return { kind: "retry", countsAsFailure: true, ...(ms === null ? {} : { retryAfterMs: Math.min(ms, capMs) }) };
}

/** Why no response came back (OutgoingRequestError reasons), as a verdict. */
export function judgeRequestFailure(reason: string): ResponseVerdict {
  // An address the guard refuses or a URL it cannot parse will not change by waiting.
  if (reason === "forbidden_address" || reason === "bad_url") return { kind: "rejected" };
  return { kind: "retry", countsAsFailure: true };
}

/** Retry-After as milliseconds from now: delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (!Number.isFinite(at) || !/[a-z]/i.test(v)) return null;
  return Math.max(0, at - now);
}

/** The host an inbox is on, as accounts.domain stores it (lower case, :port when not the default). */
export function inboxDomain(inbox: string | URL): string {
  return (typeof inbox === "string" ? new URL(inbox) : inbox).host.toLowerCase();
}

/**
 * The dedup key of one activity to one inbox: enqueueing the same delivery twice while the first waits does
 * nothing. From the activity's id (or its whole text when it has none), hashed to a short fixed length.
 */
export function deliveryKey(body: string, inbox: string): string {
  return keyOf(activityIdOf(body), inbox);
}

function activityIdOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { id?: unknown } | null;
    if (typeof parsed?.id === "string") return parsed.id;
  } catch {
    /* not JSON: keyed by its text */
  }
  return body;
}

const keyOf = (activityId: string, inbox: string) =>
  `deliver:${createHash("sha256").update(activityId).update("\n").update(inbox).digest("base64url")}`;

/** What enqueueing looks at: the domain policy, the circuit breaker's probe claims. */
export interface DeliveryDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly instance: InstanceSettings;
}

export type SkipReason = "invalid" | "local" | "refused" | "unavailable";

export interface EnqueuedDeliveries {
  /** Inboxes a delivery job was enqueued for (normalised). */
  readonly enqueued: readonly string[];
  readonly skipped: readonly { readonly inbox: string; readonly reason: SkipReason }[];
}

/**
 * In the transaction of the job that rendered an activity: one delivery job per distinct inbox, signed by
 * `signerAccountId`. Skips inboxes that are not http(s) URLs, Herd's own, on refused domains (suspended, or not
 * allowed under limited federation), and on unavailable domains, except for one probe per domain every
 * PROBE_INTERVAL_MS. The jobs run independently, so one slow or dead server delays no other.
 */
export async function enqueueDeliveries(
  tx: Tx,
  input: { readonly body: string; readonly signerAccountId: string; readonly inboxes: readonly string[] },
  deps: DeliveryDeps,
): Promise<EnqueuedDeliveries> {
  if (input.body.length > MAX_ACTIVITY_BYTES) throw new Error(`activity of ${input.body.length} characters is over the ${MAX_ACTIVITY_BYTES} a delivery carries`);
  const activityId = activityIdOf(input.body);
  const skipped: { inbox: string; reason: SkipReason }[] = [];
  const byDomain = new Map<string, string[]>();
  const seen = new Set<string>();
  const ownHost = new URL(deps.instance.baseUrl).host.toLowerCase();
  for (const raw of input.inboxes) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      skipped.push({ inbox: raw, reason: "invalid" });
      continue;
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password || raw.length > 2_048) {
      skipped.push({ inbox: raw, reason: "invalid" });
      continue;
    }
    url.hash = "";
    const inbox = url.href;
    if (seen.has(inbox)) continue;
    seen.add(inbox);
    const domain = inboxDomain(url);
    if (domain === ownHost) {
      skipped.push({ inbox, reason: "local" });
      continue;
    }
    let list = byDomain.get(domain);
    if (!list) byDomain.set(domain, (list = []));
    list.push(inbox);
  }

  const unavailable = new Set(await tx.deliveryState.unavailableAmong([...byDomain.keys()]));
  // The policy is read through this transaction: on SQLite (one connection) a query outside it would wait for
  // the transaction to end, which waits for the query. The view is the database with the transaction's repos.
  const policyDeps = { ...deps, db: Object.create(deps.db, { repos: { value: tx } }) as Database };
  const jobs: JobRequest[] = [];
  const enqueued: string[] = [];
  for (const [domain, inboxes] of byDomain) {
    if (await isDomainRefused(policyDeps, domain)) {
      for (const inbox of inboxes) skipped.push({ inbox, reason: "refused" });
      continue;
    }
    let probe = false;
    let targets = inboxes;
    if (unavailable.has(domain)) {
      probe = await claimDomainProbe(deps, domain);
      targets = probe ? inboxes.slice(0, 1) : [];
      for (const inbox of inboxes.slice(targets.length)) skipped.push({ inbox, reason: "unavailable" });
    }
    for (const inbox of targets) {
      const payload: DeliverPayload = { inbox, body: input.body, signerAccountId: input.signerAccountId, attempt: 1, ...(probe ? { probe } : {}) };
      jobs.push(jobRequest(deliverJob, payload, { dedupKey: keyOf(activityId, inbox) }));
      enqueued.push(inbox);
    }
  }
  if (jobs.length > 0) await tx.enqueue(jobs);
  return { enqueued, skipped };
}

/** The job for the next try after a failed `payload.attempt`, due after `delayMs`. */
export function nextAttempt(payload: DeliverPayload, delayMs: number): JobRequest {
  const next: DeliverPayload = { inbox: payload.inbox, body: payload.body, signerAccountId: payload.signerAccountId, attempt: payload.attempt + 1 };
  return jobRequest(deliverJob, next, { delayMs, dedupKey: `${deliveryKey(payload.body, payload.inbox)}:${next.attempt}` });
}
