import type { Context, MiddlewareHandler } from "hono";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";

/** A fixed-window limit, as Rack::Attack counts: `limit` requests per `periodMs`, windows aligned to the epoch. */
export interface RateLimitRule {
  readonly name: string;
  readonly limit: number;
  readonly periodMs: number;
}

const MINUTE = 60_000;

/** Mastodon's limits (config/initializers/rack_attack.rb and api/rate-limits.md). */
export const RATE_LIMITS = {
  signInByIp: { name: "sign-in/ip", limit: 25, periodMs: 5 * MINUTE },
  // Failed attempts only (Mastodon counts every attempt): someone signing in often from many devices is not locked out.
  signInFailuresByLogin: { name: "sign-in/login", limit: 25, periodMs: 60 * MINUTE },
  webSignUpByIp: { name: "sign-up/ip", limit: 25, periodMs: 5 * MINUTE },
  apiSignUpByIp: { name: "api-sign-up/ip", limit: 5, periodMs: 30 * MINUTE },
  passwordResetByIp: { name: "password-reset/ip", limit: 25, periodMs: 5 * MINUTE },
  passwordResetByEmail: { name: "password-reset/email", limit: 5, periodMs: 30 * MINUTE },
  confirmationByIp: { name: "confirmation/ip", limit: 25, periodMs: 5 * MINUTE },
  confirmationByEmail: { name: "confirmation/email", limit: 5, periodMs: 30 * MINUTE },
  appRegistrationByIp: { name: "app-registration/ip", limit: 5, periodMs: 10 * MINUTE },
  // Mastodon's general per-address API limit; the token endpoint has no stricter one there.
  oauthTokenByIp: { name: "oauth-token/ip", limit: 300, periodMs: 5 * MINUTE },
} satisfies Record<string, RateLimitRule>;

export interface RateLimitDeps {
  readonly cache: Cache;
  readonly clock: Clock;
}

/** Where a caller stands against one rule after this request was counted. */
export interface RateLimitState {
  readonly rule: RateLimitRule;
  readonly count: number;
  readonly remaining: number;
  /** End of the current window, ms since the epoch. */
  readonly resetAt: number;
  readonly limited: boolean;
}

function limitKey(rule: RateLimitRule, window: number, discriminator: string): string {
  return `rl:${rule.name}:${window}:${discriminator.toLowerCase().slice(0, 200)}`;
}

/** Counts one request against `rule` for `discriminator` (an address, a login) and says whether it is over. */
export async function countRequest(deps: RateLimitDeps, rule: RateLimitRule, discriminator: string): Promise<RateLimitState> {
  const now = deps.clock.now();
  const window = Math.floor(now / rule.periodMs);
  const count = await deps.cache.increment(limitKey(rule, window, discriminator), 1, rule.periodMs);
  return {
    rule,
    count,
    remaining: Math.max(0, rule.limit - count),
    resetAt: (window + 1) * rule.periodMs,
    limited: count > rule.limit,
  };
}

/** Sets the X-RateLimit-* headers Mastodon sends, for the rule closest to being exceeded. */
export function setRateLimitHeaders(c: Context, states: readonly RateLimitState[]): void {
  if (states.length === 0) return;
  const closest = [...states].sort((a, b) => a.remaining - b.remaining || a.resetAt - b.resetAt)[0];
  c.header("X-RateLimit-Limit", String(closest.rule.limit));
  c.header("X-RateLimit-Remaining", String(closest.remaining));
  c.header("X-RateLimit-Reset", new Date(closest.resetAt).toISOString());
}

/** Mastodon's throttled response: 429, JSON, with the limit's headers, whatever the route (pages too). */
export function tooManyRequests(c: Context, state: RateLimitState): Response {
  c.header("X-RateLimit-Limit", String(state.rule.limit));
  c.header("X-RateLimit-Remaining", "0");
  c.header("X-RateLimit-Reset", new Date(state.resetAt).toISOString());
  return c.json({ error: "Too many requests" }, 429);
}

/**
 * Counts the request against each rule for a discriminator (the client address by default) and answers 429 when
 * one is exceeded; otherwise the handler runs and the response carries the rate-limit headers.
 */
export function rateLimit(
  deps: RateLimitDeps,
  rules: readonly RateLimitRule[],
  discriminator: (c: Context) => string = (c) => String(c.get("clientIp") ?? ""),
): MiddlewareHandler {
  return async (c, next) => {
    const states = await Promise.all(rules.map((rule) => countRequest(deps, rule, discriminator(c))));
    const over = states.find((s) => s.limited);
    if (over) return tooManyRequests(c, over);
    await next();
    setRateLimitHeaders(c, states);
  };
}

/** Where a caller stands against `rule` without counting this request (for limits that count failures only). */
export async function peekRequests(deps: RateLimitDeps, rule: RateLimitRule, discriminator: string): Promise<RateLimitState> {
  const now = deps.clock.now();
  const window = Math.floor(now / rule.periodMs);
  const count = Number((await deps.cache.get(limitKey(rule, window, discriminator))) ?? 0);
  return { rule, count, remaining: Math.max(0, rule.limit - count), resetAt: (window + 1) * rule.periodMs, limited: count >= rule.limit };
}

/**
 * For limits whose discriminator is in the body (a login, an e-mail address): counts and returns the 429 to send,
 * or null to go on.
 */
export async function enforceRateLimit(c: Context, deps: RateLimitDeps, rule: RateLimitRule, discriminator: string): Promise<Response | null> {
  const state = await countRequest(deps, rule, discriminator);
  return state.limited ? tooManyRequests(c, state) : null;
}
