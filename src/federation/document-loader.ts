import { getRemoteDocument, kvCache, preloadedContexts, type DocumentLoader, type DocumentLoaderFactory, type KvStore } from "@fedify/fedify";
import type { HttpClient } from "../ports/http-client.ts";

const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
/** Actor and object documents are small; Mastodon refuses JSON bodies above 1 MiB as well. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/**
 * Fedify's JSON-LD document loader over Herd's guarded HTTP client: the contexts Fedify ships are answered from
 * memory, everything else is fetched through the SSRF guard (resolved address checked and pinned, redirects
 * re-checked, time and size bounded) and cached in Fedify's KvStore.
 */
export function guardedDocumentLoader(http: HttpClient, kv: KvStore): DocumentLoader {
  const load: DocumentLoader = async (url, options) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    const response = await http.request(url, {
      headers: { accept: ACCEPT },
      maxBytes: MAX_DOCUMENT_BYTES,
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    return getRemoteDocument(url, response, load);
  };
  return kvCache({ loader: load, kv, prefix: ["_fedify", "remoteDocument"] });
}

/** The factory form Fedify's options take (the same guarded loader whatever options Fedify passes). */
export function guardedDocumentLoaderFactory(http: HttpClient, kv: KvStore): DocumentLoaderFactory {
  const loader = guardedDocumentLoader(http, kv);
  return () => loader;
}
