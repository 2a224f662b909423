import { preloadedContexts, type DocumentLoader } from "@fedify/fedify";
import { rawBody } from "./raw-bodies.ts";
import type { Context, MiddlewareHandler, Next } from "hono";
import type { InstanceSettings } from "../../domain/instance.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { HttpClient } from "../../ports/http-client.ts";
import { isDomainRefused } from "../../services/federation/domain-policy.ts";
import { MAX_ACTIVITY_BYTES } from "../../services/federation/ingest.ts";
import { guardedDocumentLoader } from "../document-loader.ts";
import { CacheKvStore } from "../fedify-kv-store.ts";

/** What the guard needs: the domain policy's dependencies. */
export interface InboxGuardDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly instance: InstanceSettings;
  /** The guarded client, to load the remote JSON-LD contexts a document names (see inboxGuard). */
  readonly http?: HttpClient;
}

/** Distinct remote contexts one document may name (Pleroma and Akkoma name one, on their own server). */
export const MAX_REMOTE_CONTEXTS = 4;

/**
 * Deeper than any activity a server sends (Mastodon's deepest, a Create of a Question with its options, is about
 * six levels); JSON-LD expansion recurses, so a pathological document is refused before it reaches it.
 */
export const MAX_ACTIVITY_DEPTH = 32;

/**
 * The hosts of every key a request claims to be signed with: `keyId` of a draft-cavage `Signature` header and
 * `keyid` of each RFC 9421 `Signature-Input` member. Read cheaply (no parsing of the rest, nothing fetched): a
 * forged header only makes the request look like it comes from a refused domain, which refuses it.
 */
export function signatureKeyHosts(headers: Headers): string[] {
  const hosts = new Set<string>();
  for (const name of ["signature", "signature-input"]) {
    const value = headers.get(name);
    if (!value) continue;
    for (const match of value.matchAll(/\bkeyid\s*=\s*"([^"]{1,2048})"/gi)) {
      try {
        const url = new URL(match[1]);
        if (url.host) hosts.add(url.host.toLowerCase());
      } catch {
        // Not a URL: Fedify answers 401 for a key it cannot fetch.
      }
    }
  }
  return [...hosts];
}

/** How deeply arrays and objects nest in a parsed JSON value (iteratively: the point is to refuse deep input). */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** Why a body is no activity at all, or null when it may be one (Fedify then checks the JSON-LD and signature). */
export function malformedActivity(text: string): string | null {
  return checkActivity(text).problem;
}

/** The body parsed, or why it is no activity. */
function checkActivity(text: string): { problem: string; json?: undefined } | { problem: null; json: Record<string, unknown> } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: "Invalid JSON." };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return { problem: "An activity is a JSON object." };
  const doc = json as Record<string, unknown>;
  if (!("@context" in doc)) return { problem: "Not JSON-LD: no @context." };
  if (jsonDepth(doc, MAX_ACTIVITY_DEPTH) > MAX_ACTIVITY_DEPTH) return { problem: "Activity nested too deeply." };
  const type = doc.type ?? doc["@type"];
  const types = Array.isArray(type) ? type : [type];
  if (types.length === 0 || !types.every((t) => typeof t === "string" && t.length > 0)) return { problem: "Activity without a type." };
  if (doc.actor === undefined || doc.actor === null) return { problem: "Activity without an actor." };
  return { problem: null, json: doc };
}

/** The context URLs a document names that Fedify does not ship, wherever `@context` appears in it. */
export function remoteContexts(json: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [json];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const record = node as Record<string, unknown>;
    const context = record["@context"];
    for (const c of Array.isArray(context) ? context : [context]) if (typeof c === "string" && !(c in preloadedContexts)) found.add(c);
    for (const [key, value] of Object.entries(record)) if (key !== "@context" && value !== null && typeof value === "object") stack.push(value);
  }
  return [...found];
}

/** The hosts of the activity's actor and of its Linked Data Signature's key, as the document claims them. */
export function bodyHosts(json: Record<string, unknown>): string[] {
  const hosts = new Set<string>();
  const add = (value: unknown) => {
    const id = typeof value === "string" ? value : value !== null && typeof value === "object" ? (value as { id?: unknown }).id : null;
    if (typeof id !== "string") return;
    try {
      const host = new URL(id).host.toLowerCase();
      if (host) hosts.add(host);
    } catch {
      // Not a URL: Fedify refuses the activity.
    }
  };
  for (const actor of Array.isArray(json.actor) ? json.actor.slice(0, 5) : [json.actor]) add(actor);
  const signature = json.signature;
  if (signature !== null && typeof signature === "object") add((signature as { creator?: unknown }).creator);
  return [...hosts];
}

/** Reads at most `max` bytes of a body; null when it is longer. */
async function readBounded(request: Request, max: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: cancelling one branch of a cloned (teed) body settles only once the other branch is done too.
      reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const plain = (c: Context, text: string, status: 400 | 403 | 413) =>
  c.text(text, status, { "Content-Type": "text/plain; charset=utf-8" });

/**
 * Hono middleware in front of the inboxes (POST /inbox and /users/:username/inbox), before Fedify sees the
 * request: a request signed with a key of a suspended or refused domain is refused with 403 before any work
 * (no key fetch, no body parsing), and a body that is no activity (too large, not JSON, not JSON-LD, nested
 * absurdly deep, without type or actor, naming a remote context that cannot be loaded) gets a 4xx instead of
 * reaching JSON-LD processing. An activity whose actor, or whose Linked Data Signature's key, is on a refused
 * domain is refused the same way (a forwarded activity is signed over HTTP by the forwarder). Fedify then
 * verifies the signature (401 at once when it is bad) and runs the listener. The body is read from a clone:
 * Fedify reads the request itself afterwards.
 */
export function inboxGuard(deps: InboxGuardDeps): MiddlewareHandler {
  // The same loader and cache (Fedify's KvStore over the Cache) as the federation's, so Fedify finds these loaded.
  const loader: DocumentLoader | null = deps.http ? guardedDocumentLoader(deps.http, new CacheKvStore(deps.cache)) : null;
  return async (c: Context, next: Next) => {
    if (c.req.method !== "POST") return next();
    for (const host of signatureKeyHosts(c.req.raw.headers)) {
      if (await isDomainRefused(deps, host)) return plain(c, "Requests from this domain are refused.", 403);
    }
    const length = Number(c.req.header("content-length") ?? "0");
    if (Number.isFinite(length) && length > MAX_ACTIVITY_BYTES) return plain(c, "Activity too large.", 413);
    const text = await readBounded(c.req.raw.clone(), MAX_ACTIVITY_BYTES);
    if (text === null) return plain(c, "Activity too large.", 413);
    const checked = checkActivity(text);
    if (checked.problem !== null) return plain(c, checked.problem, 400);
    for (const host of bodyHosts(checked.json)) {
      if (await isDomainRefused(deps, host)) return plain(c, "Requests from this domain are refused.", 403);
    }
    // Fedify loads remote contexts while verifying and answers 500 when one cannot be loaded (so the sender
    // retries). A context the sender's own server cannot serve is the sender's fault: 400 here instead.
    const contexts = remoteContexts(checked.json);
    if (contexts.length > MAX_REMOTE_CONTEXTS) return plain(c, "Invalid JSON-LD: too many remote contexts.", 400);
    if (loader && contexts.length > 0) {
      try {
        await Promise.all(contexts.map((url) => loader(url)));
      } catch {
        return plain(c, "Invalid JSON-LD: a context could not be loaded.", 400);
      }
    }
    return rawBody.run({ text, json: checked.json }, () => next());
  };
}
