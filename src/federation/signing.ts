import { createPrivateKey, type webcrypto } from "node:crypto";
import { signRequest, type HttpMessageSignaturesSpec } from "@fedify/fedify";
import type { InstanceSettings } from "../domain/instance.ts";
import type { Cache } from "../ports/cache.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { HttpClient } from "../ports/http-client.ts";
import { INSTANCE_ACTOR_KEY_ID } from "../ports/repositories/account-keys.ts";
import { ensureActorKeys } from "../services/federation/keys.ts";
import { LocalUris } from "./uris.ts";
import { ACCEPT as AP_ACCEPT } from "./document-loader.ts";

/** Who signs a request: the key's id (actor URL + #main-key) and the actor's RSA private key. */
export interface Signer {
  readonly keyId: URL;
  readonly privateKey: webcrypto.CryptoKey;
}

export interface SignerDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly instance: InstanceSettings;
}

/** Imported keys are reused this long: importing a PEM costs about as much as a signature. */
const SIGNER_TTL_MS = 60_000;
const MAX_SIGNERS = 1_000;
/** Per database, so two instances in one process (federation tests) never sign with each other's keys. */
const signers = new WeakMap<Database, Map<bigint, { readonly signer: Signer; readonly at: number }>>();

/**
 * The signer for a local account, or the instance actor for INSTANCE_ACTOR_KEY_ID (0); generates the keys when
 * missing. Null when the account is gone or not local (nothing can be signed in its name).
 */
export async function loadSigner(deps: SignerDeps, accountId: bigint): Promise<Signer | null> {
  let cache = signers.get(deps.db);
  if (!cache) signers.set(deps.db, (cache = new Map()));
  const hit = cache.get(accountId);
  if (hit && Date.now() - hit.at < SIGNER_TTL_MS) return hit.signer;
  const uris = new LocalUris(deps.instance);
  let keyId: URL;
  if (accountId === INSTANCE_ACTOR_KEY_ID) keyId = uris.instanceActorKey();
  else {
    const account = await deps.db.repos.accounts.findById(accountId);
    if (!account || account.domain !== null) return null;
    keyId = uris.actorKey(account.username);
  }
  const keys = await ensureActorKeys(deps, accountId);
  const der = createPrivateKey(keys.rsaPrivateKey).export({ type: "pkcs8", format: "der" });
  // Extractable because Fedify's signRequest refuses keys that are not; the key never leaves this process.
  const privateKey = await crypto.subtle.importKey("pkcs8", new Uint8Array(der), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
  const signer: Signer = { keyId, privateKey };
  if (cache.size >= MAX_SIGNERS) cache.delete(cache.keys().next().value!);
  cache.delete(accountId);
  cache.set(accountId, { signer, at: Date.now() });
  return signer;
}

const CAVAGE: HttpMessageSignaturesSpec = "draft-cavage-http-signatures-12";
const RFC9421: HttpMessageSignaturesSpec = "rfc9421";
/**
 * The spec tried first on an origin we know nothing about: draft-cavage (with Digest), which every fediverse
 * server verifies. When the peer answers 400 or 401, the other spec (RFC 9421 with Content-Digest) is tried
 * once, as Fedify's double-knocking does in the other order; whichever worked is remembered per origin, so a
 * peer known to want RFC 9421 gets it first from then on. Starting with cavage spares the second request to
 * each server that does not verify RFC 9421 yet (most of them, 2026), and Fedify's RFC 9421 path costs ~0.15 ms
 * more CPU per signature (bench/scenarios/deliver.ts).
 */
export const FIRST_KNOCK: HttpMessageSignaturesSpec = CAVAGE;
/** How long an origin's spec is remembered (the cache may forget sooner: then it is learnt again). */
const SPEC_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const specKey = (origin: string) => `httpsig:spec:${origin}`;

/** The spec remembered for an origin, or null. */
export async function rememberedSpec(cache: Cache, origin: string): Promise<HttpMessageSignaturesSpec | null> {
  const v = await cache.get(specKey(origin));
  return v === RFC9421 || v === CAVAGE ? v : null;
}

export interface SignedRequestOptions {
  /** Whole request, default 10 s: a peer that accepts connections and never answers costs no more. */
  readonly timeoutMs?: number;
  /** Bytes of response accepted. */
  readonly maxBytes?: number;
  /** Remembers which spec each origin accepts and double-knocks; without it, draft-cavage only. */
  readonly cache?: Cache;
}

export interface SignedResponse {
  readonly response: Response;
  /** The spec of the signature the response answered. */
  readonly spec: HttpMessageSignaturesSpec;
}

const DELIVERY_TIMEOUT_MS = 10_000;

async function sendSigned(
  http: HttpClient, url: URL, method: "GET" | "POST", headers: Record<string, string>, body: Uint8Array | null,
  signer: Signer, spec: HttpMessageSignaturesSpec, options: SignedRequestOptions,
): Promise<Response> {
  const unsigned = new Request(url, { method, headers, ...(body ? { body: body.slice() } : {}) });
  const signed = await signRequest(unsigned, signer.privateKey, signer.keyId, {
    spec,
    body: body ? (body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer) : null,
  });
  return http.request(url, {
    method,
    headers: signed.headers,
    body,
    timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    // A redirect would change the request target the signature covers; each hop is signed anew by the caller.
    maxRedirects: 0,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  });
}

const signatureRefused = (status: number) => status === 400 || status === 401;

/** One signed request, double-knocking when a cache is given (see FIRST_KNOCK). */
async function knock(
  http: HttpClient, url: URL, method: "GET" | "POST", headers: Record<string, string>, body: Uint8Array | null,
  signer: Signer, options: SignedRequestOptions,
): Promise<SignedResponse> {
  const cache = options.cache;
  if (!cache) return { response: await sendSigned(http, url, method, headers, body, signer, CAVAGE, options), spec: CAVAGE };
  const remembered = await rememberedSpec(cache, url.origin);
  const first = remembered ?? FIRST_KNOCK;
  const response = await sendSigned(http, url, method, headers, body, signer, first, options);
  if (signatureRefused(response.status)) {
    const second = first === RFC9421 ? CAVAGE : RFC9421;
    const retried = await sendSigned(http, url, method, headers, body, signer, second, options);
    if (retried.status < 300) await cache.set(specKey(url.origin), second, SPEC_TTL_MS);
    return { response: retried, spec: second };
  }
  if (response.status < 300 && remembered !== first) await cache.set(specKey(url.origin), first, SPEC_TTL_MS);
  return { response, spec: first };
}

/**
 * POSTs an activity to an inbox through the guarded client, signed by `signer` (Digest or Content-Digest over
 * the exact bytes sent), as application/activity+json with a 10 s limit. Redirects are not followed: an inbox
 * that moved answers 3xx, which delivery treats as a failure to retry, as Mastodon does.
 */
export async function signedPost(
  http: HttpClient, inbox: string | URL, body: string, signer: Signer, options: SignedRequestOptions = {},
): Promise<SignedResponse> {
  const url = new URL(inbox);
  const bytes = new TextEncoder().encode(body);
  return knock(http, url, "POST", { "content-type": "application/activity+json" }, bytes, signer, options);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs an ActivityPub document with a signature, for peers that require authorized fetch (sign with the
 * instance actor: `loadSigner(deps, INSTANCE_ACTOR_KEY_ID)`). Follows up to 5 redirects, signing each hop for
 * its own URL. Throws OutgoingRequestError as the client does.
 */
export async function signedGet(
  http: HttpClient, url: string | URL, signer: Signer, options: SignedRequestOptions & { readonly accept?: string } = {},
): Promise<Response> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    const { response } = await knock(http, target, "GET", { accept: options.accept ?? AP_ACCEPT }, null, signer, options);
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null || hop >= 5) return response;
    target = new URL(location, target);
  }
}
