import type { HttpClient } from "../ports/http-client.ts";

/*
 * WebFinger lookups (RFC 7033) written by hand over Herd's guarded HttpClient: Fedify's lookupWebFinger calls the
 * global fetch, which would bypass the SSRF guard, the time and size limits and the choice of scheme for
 * development peers, so it is not used.
 */

/** A JRD link as far as Herd reads it. */
export interface WebFingerLink {
  readonly rel: string;
  readonly type: string | null;
  readonly href: string | null;
  readonly template: string | null;
}

/** The parts of a JRD Herd uses. */
export interface WebFingerResult {
  readonly subject: string | null;
  readonly aliases: readonly string[];
  readonly links: readonly WebFingerLink[];
}

/** JRDs are a few hundred bytes; anything much larger is not one. */
const MAX_JRD_BYTES = 64 * 1024;

/**
 * GETs `scheme://host/.well-known/webfinger?resource=…` and parses the JRD. Null for anything but a 200 with a
 * JSON object (404, refusals, timeouts, garbage); the reason goes to `onFailure` for a debug log. A redirect is
 * followed only while it stays on an allowed scheme (`acceptUrl` decides for the final URL).
 */
export async function lookupWebFinger(
  http: HttpClient,
  target: { readonly scheme: "https" | "http"; readonly host: string; readonly resource: string },
  options: { readonly acceptUrl: (url: URL) => boolean; readonly onFailure?: (reason: string) => void },
): Promise<WebFingerResult | null> {
  const fail = (reason: string) => {
    options.onFailure?.(reason);
    return null;
  };
  let url: URL;
  try {
    url = new URL(`${target.scheme}://${target.host}/.well-known/webfinger`);
  } catch {
    return fail(`not a host: ${target.host}`);
  }
  url.searchParams.set("resource", target.resource);
  let response: Response;
  try {
    response = await http.request(url, { headers: { accept: "application/jrd+json, application/json" }, maxBytes: MAX_JRD_BYTES });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) return fail(`${url.href} answered ${response.status}`);
  if (response.url && URL.canParse(response.url) && !options.acceptUrl(new URL(response.url))) return fail(`redirected to ${response.url}`);
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch {
    return fail(`${url.href} answered something that is not JSON`);
  }
  return parseJrd(json) ?? fail(`${url.href} answered JSON that is not a JRD`);
}

/** The JRD fields Herd reads, each checked for its type; null when `json` is not an object. */
export function parseJrd(json: unknown): WebFingerResult | null {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const links: WebFingerLink[] = [];
  if (Array.isArray(o.links))
    for (const l of o.links.slice(0, 100)) {
      if (l === null || typeof l !== "object") continue;
      const link = l as Record<string, unknown>;
      const rel = str(link.rel);
      if (rel === null) continue;
      links.push({ rel, type: str(link.type), href: str(link.href), template: str(link.template) });
    }
  const aliases = Array.isArray(o.aliases) ? o.aliases.filter((a): a is string => typeof a === "string").slice(0, 100) : [];
  return { subject: str(o.subject), aliases, links };
}

/** Whether a link type names an ActivityStreams document. */
function isActivityStreamsType(type: string | null): boolean {
  if (type === null) return false;
  const t = type.trim().toLowerCase();
  if (t === "application/activity+json") return true;
  return t.startsWith("application/ld+json") && t.includes("https://www.w3.org/ns/activitystreams");
}

/** The actor URL of a JRD: its `self` link with an ActivityStreams type. */
export function actorLink(jrd: WebFingerResult): string | null {
  const self = jrd.links.find((l) => l.rel === "self" && isActivityStreamsType(l.type) && l.href !== null);
  return self?.href ?? null;
}

/** `acct:user@host` (also without the scheme) split into its parts, the host normalized; null otherwise. */
export function parseAcct(subject: string): { username: string; host: string } | null {
  const s = subject.startsWith("acct:") ? subject.slice(5) : subject;
  const at = s.lastIndexOf("@");
  if (at <= 0 || at === s.length - 1) return null;
  const username = s.slice(0, at);
  const host = normalizeHost(s.slice(at + 1));
  if (host === null || username.includes("@") || /[\s/?#:]/.test(username)) return null;
  return { username, host };
}

/** A host name or address with an optional port, as a URL's `host` spells it (lower case, IDN as punycode); null for anything else. */
export function normalizeHost(host: string): string | null {
  if (host === "" || host.length > 300 || /[\s/?#@\\%]/.test(host)) return null;
  try {
    const url = new URL(`https://${host}/`);
    return url.hostname === "" || url.pathname !== "/" ? null : url.host;
  } catch {
    return null;
  }
}
