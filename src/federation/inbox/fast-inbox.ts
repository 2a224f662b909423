import { verifyRequest, type DocumentLoader, type KeyCache } from "@fedify/fedify";
import type { CryptographicKey, Multikey } from "@fedify/fedify/vocab";
import type { Context, MiddlewareHandler, Next } from "hono";
import { findPublishedAccount } from "../../services/federation/actors.ts";
import { enqueueVerified, type InboxListenerDeps } from "./listeners.ts";
import { rawBody } from "./raw-bodies.ts";

/** Parsed keys kept in memory: a busy peer signs every delivery with the same key. */
const MAX_KEYS = 5_000;
/** A key is fetched again after this long (a rotated key is also re-fetched at once by Fedify on a mismatch). */
const KEY_TTL_MS = 3_600_000;
/** How long a processed activity id is remembered (Fedify's inbox idempotence keeps a day too). */
const SEEN_TTL_MS = 86_400_000;

/**
 * A KeyCache of parsed keys in this process. Fedify's own keeps the key document in the KvStore and parses it
 * (JSON-LD) and imports it (SPKI) again on every request, about two milliseconds each time.
 */
const keys = new Map<string, { key: CryptographicKey | Multikey | null; at: number }>();

/** Forgets every parsed key (as their expiry would), so the next request fetches its key again. */
export function forgetInboxKeys(): void {
  keys.clear();
}

function memoryKeyCache(): KeyCache {
  return {
    async get(keyId) {
      const hit = keys.get(keyId.href);
      if (!hit) return undefined;
      if (Date.now() - hit.at > KEY_TTL_MS) {
        keys.delete(keyId.href);
        return undefined;
      }
      return hit.key;
    },
    async set(keyId, key) {
      // Failed fetches are not kept: the next request tries again (Fedify asks again once anyway).
      if (key === null) return void keys.delete(keyId.href);
      keys.delete(keyId.href);
      keys.set(keyId.href, { key, at: Date.now() });
      if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value!);
    },
  };
}

function actorOf(json: Record<string, unknown>): string | null {
  const actor = json.actor;
  if (typeof actor === "string") return actor;
  const id = (actor as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : null;
}

function urlOrNull(value: unknown): URL | null {
  if (typeof value !== "string") return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * The inbox's fast path, after the guard: an activity with a valid HTTP Signature (draft-cavage or RFC 9421,
 * verified by Fedify's verifyRequest with parsed keys kept in memory) whose key belongs to the activity's actor
 * is enqueued as it was received, and answered 202, without Fedify parsing the whole activity as JSON-LD (the
 * ingest job does that once). Everything else (no HTTP signature but an object proof, a signature that does not
 * verify, a key owned by another actor, a deleted actor's Delete) goes on to Fedify's inbox, which decides as
 * before: so nothing is accepted here that Fedify would refuse, and the refusals stay Fedify's.
 */
export function fastInbox(deps: InboxListenerDeps, loader: DocumentLoader): MiddlewareHandler {
  const keyCache = memoryKeyCache();
  return async (c: Context, next: Next) => {
    const body = rawBody.getStore();
    if (c.req.method !== "POST" || body === undefined) return next();
    if (!c.req.header("signature") && !c.req.header("signature-input")) return next();
    const { text: raw, json } = body;
    const actor = urlOrNull(actorOf(json));
    if (!actor) return next();
    // What Fedify's JSON-LD parsing would refuse with 400 is left to it: a context that is not one, a bad id.
    const context = json["@context"];
    if (typeof context !== "string" && (typeof context !== "object" || context === null)) return next();
    if (json.id !== undefined && urlOrNull(json.id) === null) return next();
    const recipient = c.req.param("username") ?? null;
    if (recipient !== null && !(await findPublishedAccount(deps, recipient))) return next();
    const key = await verifyRequest(c.req.raw.clone(), {
      documentLoader: loader, contextLoader: loader, keyCache, timeWindow: { hours: 1 },
    }).catch(() => null);
    const owner = key?.ownerId ?? null;
    if (!owner || owner.href !== actor.href) return next();
    const activityId = urlOrNull(json.id);
    if (activityId) {
      // Fedify's inbox idempotence, here: keyed by actor and id, so no server can pre-empt another's id.
      const fresh = await deps.cache.setIfAbsent(`inbox:seen:${actor.href}\n${activityId.href}`, "1", SEEN_TTL_MS);
      if (!fresh) return c.body(null, 202);
    }
    try {
      await enqueueVerified(deps, { document: raw, recipient, signer: actor, activityId });
    } catch (error) {
      // Not recorded: the sender's retry must not be taken for a repeat.
      if (activityId) await deps.cache.delete(`inbox:seen:${actor.href}\n${activityId.href}`).catch(() => {});
      throw error;
    }
    return c.body(null, 202);
  };
}
