import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { WebSession } from "../../ports/repositories/sessions.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";
import { generateSecret } from "../../services/auth/tokens.ts";
import { endSession, resolveSession, SESSION_IDLE_MS, startSession } from "../../services/auth/web-sessions.ts";
import type { ApiDeps } from "../mastodon/context.ts";

/** The session cookie: a random value; the database keeps only its SHA-256. */
export const SESSION_COOKIE = "_herd_session";
const BROWSER_COOKIE = "_herd_csrf";
const BROWSER_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** A signed-in browser: its session, user and the cookie value (the CSRF tokens of its forms derive from it). */
export interface SignedIn {
  readonly session: WebSession;
  readonly user: UserRecord;
  readonly secret: string;
}

const resolved = new WeakMap<Context, Promise<SignedIn | null>>();

const isHttps = (deps: ApiDeps) => deps.instance.baseUrl.startsWith("https:");
// On https the CSRF cookie takes the __Host- prefix: browsers then refuse it from sibling subdomains, which could
// otherwise plant a known value and forge the signed-out forms.
const browserCookieName = (deps: ApiDeps) => (isHttps(deps) ? `__Host-${BROWSER_COOKIE}` : BROWSER_COOKIE);

function cookieOptions(deps: ApiDeps, maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: "Lax" as const, secure: isHttps(deps), path: "/", maxAge: maxAgeSeconds };
}

/** The signed-in user of this request, or null (resolved once per request). */
export function signedInUser(c: Context, deps: ApiDeps): Promise<SignedIn | null> {
  let found = resolved.get(c);
  if (!found) {
    const secret = getCookie(c, SESSION_COOKIE);
    found = secret
      ? resolveSession(deps, secret).then((r) => (r ? { ...r, secret } : null))
      : Promise.resolve(null);
    resolved.set(c, found);
  }
  return found;
}

/** Signs the browser in as `userId`: a new session and its cookie. */
export async function signInBrowser(c: Context, deps: ApiDeps, userId: bigint): Promise<void> {
  const old = getCookie(c, SESSION_COOKIE);
  if (old) await endSession(deps, old);
  const { secret } = await startSession(deps, userId, { ip: c.get("clientIp") ?? null, userAgent: c.req.header("user-agent") ?? null });
  setCookie(c, SESSION_COOKIE, secret, cookieOptions(deps, Math.floor(SESSION_IDLE_MS / 1000)));
  resolved.delete(c);
}

/** Ends this browser's session and drops its cookie. */
export async function signOutBrowser(c: Context, deps: ApiDeps): Promise<void> {
  const secret = getCookie(c, SESSION_COOKIE);
  if (secret) await endSession(deps, secret);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(deps) });
  resolved.delete(c);
}

function derive(secret: string, purpose: string): string {
  return createHmac("sha256", secret).update(`herd-csrf:${purpose}`).digest("base64url");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token for forms a signed-in user posts: derived from the session cookie, which pages cannot read. */
export function sessionCsrfToken(signedIn: SignedIn): string {
  return derive(signedIn.secret, "session");
}

/**
 * The CSRF token for signed-out forms (sign in, sign up, password reset): derived from a random per-browser
 * cookie (a double-submit token), set here when the browser has none yet.
 */
export function browserCsrfToken(c: Context, deps: ApiDeps): string {
  const name = browserCookieName(deps);
  let value = getCookie(c, name);
  if (!value || value.length < 32 || value.length > 128) {
    value = generateSecret();
    setCookie(c, name, value, cookieOptions(deps, BROWSER_COOKIE_MAX_AGE));
  }
  return derive(value, "browser");
}

/** A request from another site's page: browsers send Origin on POSTs, and it must be this site. */
function crossOrigin(c: Context, deps: ApiDeps): boolean {
  const origin = c.req.header("origin");
  return origin !== undefined && origin !== "null" && origin !== new URL(deps.instance.baseUrl).origin;
}

/** True when a signed-in form carries the token of this browser's session. */
export function validSessionCsrf(c: Context, deps: ApiDeps, signedIn: SignedIn, token: string | undefined): boolean {
  return !crossOrigin(c, deps) && typeof token === "string" && same(token, sessionCsrfToken(signedIn));
}

/** True when a signed-out form carries the token of this browser's CSRF cookie. */
export function validBrowserCsrf(c: Context, deps: ApiDeps, token: string | undefined): boolean {
  if (crossOrigin(c, deps) || typeof token !== "string") return false;
  const value = getCookie(c, browserCookieName(deps));
  return value !== undefined && value.length >= 32 && same(token, derive(value, "browser"));
}
