import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseMail, type ParsedMail } from "./eml.ts";
import type { TestApp, TestResponse } from "./test-app.ts";

const decode = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** A page form: where it posts and the values of its inputs (hidden ones included). */
export interface PageForm {
  readonly action: string;
  readonly fields: Record<string, string>;
}

/** The forms of one of Herd's pages (its markup is regular: double-quoted attributes, one input per tag). */
export function pageForms(page: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const m of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = decode(/action="([^"]*)"/.exec(m[1])?.[1] ?? "");
    const fields: Record<string, string> = {};
    for (const input of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/.exec(input[1])?.[1];
      if (!name || /type="(checkbox|password)"/.test(input[1])) continue;
      fields[decode(name)] = decode(/value="([^"]*)"/.exec(input[1])?.[1] ?? "");
    }
    forms.push({ action, fields });
  }
  return forms;
}

/** The form posting to `action`; fails the test when the page has none. */
export function formFor(page: string, action: string): PageForm {
  const form = pageForms(page).find((f) => f.action === action);
  assert.ok(form, `no form posting to ${action} in:\n${page.slice(0, 800)}`);
  return form;
}

/** One browser: keeps cookies from Set-Cookie and sends them back. */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #t: TestApp;
  readonly #headers: Record<string, string>;
  /** Each browser comes from its own address (the test app trusts 127.0.0.1 as a proxy), unless told otherwise. */
  constructor(t: TestApp, headers: Record<string, string> = { "x-forwarded-for": freshAddress() }) {
    this.#t = t;
    this.#headers = headers;
  }

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<TestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await this.#t.request(method, path, {
      form,
      headers: { ...this.#headers, ...headers, ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string): Promise<TestResponse> {
    return this.request("GET", path);
  }

  /** Submits the form of `page` that posts to `action`, with some fields changed. */
  submit(page: string, action: string, values: Record<string, string> = {}): Promise<TestResponse> {
    return this.request("POST", action, { ...formFor(page, action).fields, ...values });
  }

  /** Signs in through the sign-in page. */
  async signIn(login: string, password: string, returnTo = "/"): Promise<TestResponse> {
    const page = await this.get(`/auth/sign_in?return_to=${encodeURIComponent(returnTo)}`);
    assert.equal(page.status, 200);
    return this.submit(page.text, "/auth/sign_in", { login, password });
  }
}

let nextAddress = 1;
/** A distinct client address per call (the test app trusts 127.0.0.1 as a proxy), so per-IP limits do not add up. */
export function freshAddress(): string {
  const n = nextAddress++;
  return `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

/** Registers an application through POST /api/v1/apps. */
export async function registerApp(
  t: TestApp,
  options: { redirectUris?: string | string[]; scopes?: string; name?: string } = {},
): Promise<{ id: string; client_id: string; client_secret: string; redirect_uris: string[]; scopes: string[] }> {
  const res = await t.request("POST", "/api/v1/apps", {
    json: {
      client_name: options.name ?? "Test client",
      redirect_uris: options.redirectUris ?? "https://client.example/callback",
      scopes: options.scopes ?? "read write follow push profile",
    },
    headers: { "x-forwarded-for": freshAddress() },
  });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizeOptions {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope?: string;
  readonly state?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly forceLogin?: boolean;
}

/** The /oauth/authorize URL for these options. */
export function authorizeUrl(o: AuthorizeOptions): string {
  const q = new URLSearchParams({ response_type: "code", client_id: o.clientId, redirect_uri: o.redirectUri });
  if (o.scope) q.set("scope", o.scope);
  if (o.state) q.set("state", o.state);
  if (o.codeChallenge) q.set("code_challenge", o.codeChallenge);
  if (o.codeChallengeMethod) q.set("code_challenge_method", o.codeChallengeMethod);
  if (o.forceLogin) q.set("force_login", "true");
  return `/oauth/authorize?${q}`;
}

/**
 * Drives the whole authorization as a person would: the authorize URL sends a signed-out browser to sign in,
 * sign-in returns to it, and the consent page's button is pressed. Returns the final response (a redirect to the
 * client, or the out-of-band code page).
 */
export async function authorize(
  browser: Browser,
  o: AuthorizeOptions,
  login: { login: string; password: string },
  decision: "approve" | "deny" = "approve",
): Promise<TestResponse> {
  let res = await browser.get(authorizeUrl(o));
  if (res.status === 302 && (res.headers.get("location") ?? "").startsWith("/auth/sign_in")) {
    const signInPage = await browser.get(res.headers.get("location")!);
    res = await browser.submit(signInPage.text, "/auth/sign_in", login);
    assert.equal(res.status, 303, res.text);
    res = await browser.get(res.headers.get("location")!);
  }
  assert.equal(res.status, 200, res.text);
  return browser.submit(res.text, "/oauth/authorize", { decision });
}

/** The query parameters of a redirect response's Location. */
export function redirectParams(res: TestResponse): URLSearchParams {
  assert.equal(res.status, 302, res.text);
  return new URL(res.headers.get("location")!).searchParams;
}

/** Messages the file mailer wrote to `address`, oldest first (after waiting for queued jobs). */
export async function mailsTo(t: TestApp, address: string): Promise<ParsedMail[]> {
  await t.drain();
  const dir = join(t.container.config.dataDir, "mail");
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".eml")).sort();
  } catch {
    return [];
  }
  const mails = await Promise.all(names.map(async (n) => parseMail(await readFile(join(dir, n)))));
  return mails.filter((m) => (m.headers.get("to") ?? "").toLowerCase().includes(address.toLowerCase()));
}

/** The path and query of the link to `path` in the newest message to `address`. */
export async function linkInLatestMail(t: TestApp, address: string, path: string): Promise<string> {
  const mails = await mailsTo(t, address);
  assert.ok(mails.length > 0, `no mail to ${address}`);
  const text = mails.at(-1)!.text ?? "";
  const m = new RegExp(`${t.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\?\\S+)`).exec(text);
  assert.ok(m, `no link to ${path} in:\n${text}`);
  return m[1];
}

/** POST /oauth/token with a JSON body, as masto.js and megalodon send it. */
export function tokenRequest(t: TestApp, body: Record<string, string>, headers: Record<string, string> = {}): Promise<TestResponse> {
  return t.request("POST", "/oauth/token", { json: body, headers });
}

/** Signs `login` in, authorizes `app` with PKCE S256 and exchanges the code: a user token (asserts success). */
export async function userTokenFor(
  t: TestApp,
  app: { client_id: string; client_secret: string },
  login: { login: string; password: string },
  redirectUri: string,
  scope = "read profile",
): Promise<{ access_token: string; refresh_token: string; scope: string }> {
  const { verifier, challenge } = pkcePair();
  const res = await authorize(new Browser(t), { clientId: app.client_id, redirectUri, scope, codeChallenge: challenge, codeChallengeMethod: "S256" }, login);
  const exchanged = await tokenRequest(t, {
    grant_type: "authorization_code", client_id: app.client_id, client_secret: app.client_secret,
    redirect_uri: redirectUri, code: redirectParams(res).get("code")!, code_verifier: verifier,
  });
  assert.equal(exchanged.status, 200, exchanged.text);
  return exchanged.body as { access_token: string; refresh_token: string; scope: string };
}
