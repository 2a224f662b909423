import { getRemoteDocument, kvCache, preloadedContexts, signRequest, type DocumentLoader, type DocumentLoaderFactory, type KvStore } from "@fedify/fedify";
import type { webcrypto } from "node:crypto";
import type { HttpClient } from "../ports/http-client.ts";

/** What Herd asks for when it fetches an ActivityPub document (Mastodon's own Accept). */
export const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
/** Actor and object documents are small; Mastodon refuses JSON bodies above 1 MiB as well. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** Where the loader caches fetched documents in its KvStore (each under this prefix and its URL). */
export const DOCUMENT_CACHE_PREFIX = ["_fedify", "remoteDocument"] as const;

/** The key fetches are signed with when a peer wants signed requests: the instance actor's. */
export interface FetchSigner {
  readonly keyId: URL;
  readonly privateKey: webcrypto.CryptoKey;
}

/**
 * Fedify's JSON-LD document loader over Herd's guarded HTTP client: the contexts Fedify ships are answered from
 * memory, everything else is fetched through the SSRF guard (resolved address checked and pinned, redirects
 * re-checked, time and size bounded) and cached in Fedify's KvStore. With a signer, a fetch answered 401 or 403
 * is tried once more signed (draft-cavage, which every server verifies): peers with authorized fetch (Mastodon's
 * AUTHORIZED_FETCH, GoToSocial by default) answer only signed requests.
 */
export function guardedDocumentLoader(http: HttpClient, kv: KvStore, signer?: () => Promise<FetchSigner>): DocumentLoader {
  const load: DocumentLoader = async (url, options) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    const limits = { maxBytes: MAX_DOCUMENT_BYTES, ...(options?.signal ? { signal: options.signal } : {}) };
    let response = await http.request(url, { headers: { accept: ACCEPT }, ...limits });
    if ((response.status === 401 || response.status === 403) && signer) {
      const { keyId, privateKey } = await signer();
      const signed = await signRequest(new Request(url, { headers: { accept: ACCEPT } }), privateKey, keyId, { spec: "draft-cavage-http-signatures-12" });
      response = await http.request(url, { headers: signed.headers, ...limits });
    }
    return getRemoteDocument(url, response, load);
  };
  return kvCache({ loader: load, kv, prefix: [...DOCUMENT_CACHE_PREFIX] });
}

/** The factory form Fedify's options take (the same guarded loader whatever options Fedify passes). */
export function guardedDocumentLoaderFactory(http: HttpClient, kv: KvStore, signer?: () => Promise<FetchSigner>): DocumentLoaderFactory {
  const loader = guardedDocumentLoader(http, kv, signer);
  return () => loader;
}
