import { preloadedContexts, type DocumentLoader, type RemoteDocument } from "@fedify/fedify";
import { Object as APObject, type Activity } from "@fedify/fedify/vocab";
import type { IngestEnv } from "./ingest-env.ts";

/** Objects one activity may fetch by id (its object, a reply's ancestors, an announced post): a bounded amount of work. */
export const FETCHES_PER_ACTIVITY = 6;

/** How many fetches an activity has left. */
export interface FetchBudget {
  remaining: number;
}

export function fetchBudget(): FetchBudget {
  return { remaining: FETCHES_PER_ACTIVITY };
}

/** Answers the contexts Fedify ships and nothing else: reading what a document embeds never fetches. */
const offlineLoader: DocumentLoader = async (url: string): Promise<RemoteDocument> => {
  if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
  throw new Error(`not fetched while reading an embedded object: ${url}`);
};

/**
 * Options for Fedify's property getters that read only what is embedded: a property that is a bare URL (or an
 * embedded object from another origin, which Fedify would re-fetch) reads as absent instead of being fetched.
 */
export function offlineOptions() {
  return { documentLoader: offlineLoader, contextLoader: offlineLoader, suppressError: true } as const;
}

/** The activity's `object` as embedded in the document (same origin as the activity), and its raw JSON. */
export async function embeddedObject(activity: Activity, raw: Record<string, unknown>): Promise<{ object: APObject; raw: Record<string, unknown> | null } | null> {
  const object = await activity.getObject(offlineOptions()).catch(() => null);
  if (!object) return null;
  const rawObject = Array.isArray(raw.object) ? raw.object[0] : raw.object;
  return { object, raw: rawObject !== null && typeof rawObject === "object" ? (rawObject as Record<string, unknown>) : null };
}

/**
 * An object fetched by id through the guarded loader, within the activity's budget. Accepted only when the
 * document's id is the one asked for and it was served from that id's origin (a redirect elsewhere, or a
 * document claiming another id, would let one server speak for another). Null on any failure.
 */
export async function fetchObject(env: IngestEnv, url: URL, budget: FetchBudget): Promise<{ object: APObject; raw: Record<string, unknown> } | null> {
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.origin === env.localOrigin) return null;
  if (budget.remaining <= 0) return null;
  budget.remaining--;
  try {
    const remote = await env.loader(url.href);
    const document = remote.document;
    if (document === null || typeof document !== "object" || Array.isArray(document)) return null;
    if (new URL(remote.documentUrl).origin !== url.origin) return null;
    const object = await APObject.fromJsonLd(document, { documentLoader: offlineLoader, contextLoader: env.loader });
    if (!object.id || object.id.href !== url.href) return null;
    return { object, raw: document as Record<string, unknown> };
  } catch (error) {
    env.log.debug({ url: url.href, err: error }, "inbox: object fetch failed");
    return null;
  }
}

/**
 * The activity's object: embedded (same origin), or fetched by id when `fetch` allows. A cross-origin embedded
 * object counts as not embedded: only its own server can vouch for it.
 */
export async function activityObject(
  env: IngestEnv,
  activity: Activity,
  raw: Record<string, unknown>,
  budget: FetchBudget,
  fetch: boolean,
): Promise<{ object: APObject; raw: Record<string, unknown> | null } | null> {
  const embedded = await embeddedObject(activity, raw);
  if (embedded) return embedded;
  const id = activity.objectId;
  return fetch && id ? fetchObject(env, id, budget) : null;
}
