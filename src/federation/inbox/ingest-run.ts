import { DOCUMENT_CACHE_PREFIX, guardedDocumentLoader } from "../document-loader.ts";
import { CacheKvStore } from "../fedify-kv-store.ts";
import { instanceFetchSigner } from "../instance-signer.ts";
import { RemoteActors } from "../remote-actors.ts";
import type { JobDeps } from "../../jobs/deps.ts";
import type { HttpClient } from "../../ports/http-client.ts";
import { receiveActorDeleted, receiveMove } from "../../services/federation/inbound-accounts.ts";
import { receiveAccept, receiveBlock, receiveFollow, receiveReject, receiveUndoBlock, receiveUndoFollow } from "../../services/federation/inbound-follows.ts";
import {
  receiveAnnounce, receiveFeatured, receiveLike, receiveUndoAnnounce, receiveUndoLike, receiveVote,
} from "../../services/federation/inbound-interactions.ts";
import { receiveFlag } from "../../services/federation/inbound-reports.ts";
import { receiveDeleteStatus, receiveStatus, receiveStatusUpdate, type ReceiveOptions } from "../../services/federation/inbound-statuses.ts";
import type { Inbound, IngestEnv, Lookup, RemoteStatusInput } from "./ingest-env.ts";
import { databaseLookup } from "./lookup.ts";
import { ingestActivity } from "./translate-activity.ts";
import { fetchBudget, fetchObject, type FetchBudget } from "./objects.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { fetchRepliesJob } from "../../services/federation/ingest.ts";
import { isStatusObject, translateNote } from "./translate-note.ts";

/**
 * A failure of Herd itself (the database, the cache) while applying an activity: the job fails and is retried.
 * Everything else that goes wrong while translating is the sender's problem and is dropped.
 */
class HerdFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "HerdFailure";
  }
}

/** Every method of `target`, with whatever it throws marked as Herd's own failure. */
function herdCalls<T extends object>(target: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(target)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (error) {
        throw new HerdFailure(error);
      }
    };
  }
  return wrapped as T;
}

function inboundServices(deps: JobDeps, options: ReceiveOptions): Inbound {
  return {
    receiveFollow: (i) => receiveFollow(deps, i),
    receiveAccept: (i) => receiveAccept(deps, i),
    receiveReject: (i) => receiveReject(deps, i),
    receiveUndoFollow: (i) => receiveUndoFollow(deps, i),
    receiveStatus: (i) => receiveStatus(deps, i, options),
    receiveStatusUpdate: (i) => receiveStatusUpdate(deps, i),
    receiveDeleteStatus: (i) => receiveDeleteStatus(deps, i),
    receiveLike: (i) => receiveLike(deps, i),
    receiveUndoLike: (i) => receiveUndoLike(deps, i),
    receiveAnnounce: (i) => receiveAnnounce(deps, i),
    receiveUndoAnnounce: (i) => receiveUndoAnnounce(deps, i),
    receiveBlock: (i) => receiveBlock(deps, i),
    receiveUndoBlock: (i) => receiveUndoBlock(deps, i),
    receiveActorDeleted: (i) => receiveActorDeleted(deps, i),
    receiveFlag: (i) => receiveFlag(deps, i),
    receiveMove: (i) => receiveMove(deps, i),
    receiveVote: (i) => receiveVote(deps, i),
    receiveFeatured: (i) => receiveFeatured(deps, i),
  };
}

/**
 * Whether Herd may fetch a plain-http URL: only peers on ALLOWED_PRIVATE_ADDRESSES of an instance with
 * LOCAL_HTTPS=false (development and tests), as the composition root decides; the guarded client still checks
 * every connection's address itself.
 */
function allowedHttp(deps: JobDeps): (url: URL) => boolean {
  return deps.plainHttpPeers ?? (() => false);
}

/**
 * One environment per worker's deps: the loader's cache and RemoteActors' shared in-flight fetches live in it.
 * Its twin for redelivered jobs differs only in how its inbound services run (ReceiveOptions).
 */
const environments = new WeakMap<JobDeps, { first: IngestEnv; redelivered: IngestEnv }>();

function environment(deps: JobDeps, http: HttpClient, options: { redelivered?: boolean } = {}): IngestEnv {
  const known = environments.get(deps) ?? createEnvironments(deps, http);
  return options.redelivered ? known.redelivered : known.first;
}

function createEnvironments(deps: JobDeps, http: HttpClient): { first: IngestEnv; redelivered: IngestEnv } {
  const signer = instanceFetchSigner(deps);
  const loader = guardedDocumentLoader(http, new CacheKvStore(deps.cache), signer);
  const actors = new RemoteActors({
    db: deps.db, cache: deps.cache, clock: deps.clock, instance: deps.instance, http, log: deps.log,
    documentLoader: loader, allowedHttp: allowedHttp(deps), fetchSigner: signer,
  });
  const lookup: Lookup = herdCalls(databaseLookup({ db: deps.db, instance: deps.instance, actors, loader }));
  const env: IngestEnv = {
    inbound: herdCalls(inboundServices(deps, {})),
    lookup,
    loader,
    log: deps.log,
    now: () => deps.clock.now(),
    localOrigin: new URL(deps.instance.baseUrl).origin,
  };
  const both = { first: env, redelivered: { ...env, inbound: herdCalls(inboundServices(deps, { redelivered: true })) } };
  environments.set(deps, both);
  return both;
}

/**
 * Runs one ingest-activity job: parses the document and applies it. Translation problems are logged at debug
 * and the job succeeds (a sender's bad document must not cause a retry storm); Herd's own failures throw. A
 * redelivered job redoes what its earlier run may have left undone after a commit (ReceiveOptions).
 */
export async function runIngest(
  deps: JobDeps,
  payload: { activity: string; recipient: string | null; signer: string },
  job: { readonly redelivered: boolean } = { redelivered: false },
): Promise<void> {
  if (!deps.http) throw new Error("this worker has no outgoing HTTP client (JobDeps.http) for the inbox");
  let document: unknown;
  try {
    document = JSON.parse(payload.activity);
  } catch {
    deps.log.debug({ signer: payload.signer }, "inbox: activity is not JSON, ignored");
    return;
  }
  const env = environment(deps, deps.http, { redelivered: job.redelivered });
  try {
    const outcome = await ingestActivity(env, document, payload.signer);
    const id = (document as { id?: unknown }).id;
    deps.log.debug({ activity: typeof id === "string" ? id : null, signer: payload.signer, recipient: payload.recipient, ...outcome }, "inbox: activity processed");
  } catch (error) {
    if (error instanceof HerdFailure) throw error.cause;
    deps.log.debug({ signer: payload.signer, err: error }, "inbox: activity could not be translated, ignored");
  }
}

/**
 * The status at `url` for search with resolve=true: a stored one (by id), else fetched, translated as an
 * incoming Note would be and stored. A page URL (`/@user/123`) whose document names another id on the same
 * server is followed to that id once, since only a document served at its own id can vouch for itself.
 * Null when it is not a post, is on a refused server, or cannot be fetched.
 */
export async function resolveStatusUrl(deps: JobDeps, url: string, options: { withReplies?: boolean } = {}): Promise<bigint | null> {
  if (!deps.http) return null;
  if (!URL.canParse(url)) return null;
  const uri = new URL(url);
  const env = environment(deps, deps.http);
  const known = await env.lookup.status(uri);
  if (known) return known.id;
  const budget = fetchBudget();
  let fetched = await fetchObject(env, uri, budget);
  if (!fetched) {
    const named = await env.loader(uri.href).then((r) => (r.document as { id?: unknown } | null)?.id, () => undefined);
    if (typeof named !== "string" || named === uri.href || !URL.canParse(named)) return null;
    const id = new URL(named);
    if (id.origin !== uri.origin) return null;
    const stored = await env.lookup.status(id);
    if (stored) return stored.id;
    fetched = await fetchObject(env, id, budget);
  }
  const input = await translateFetchedPost(env, fetched, budget);
  if (!input) return null;
  const stored = await ownFailures(() => env.inbound.receiveStatus(input));
  if (stored?.created && (options.withReplies ?? true) && fetched!.raw.replies !== undefined)
    await deps.db.enqueue([jobRequest(fetchRepliesJob, { statusUri: input.uri }, { dedupKey: `replies:${input.uri}` })]);
  return stored?.statusId ?? null;
}

/** Runs `fn`, a call of the inbound services, rethrowing Herd's own failures as they were raised. */
async function ownFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof HerdFailure ? error.cause : error;
  }
}

/**
 * A fetched document as the input of the inbound services, when it is a post whose author is on its own server
 * (resolved, or fetched, as a remote actor): translated as an incoming Note is. Null for anything else, a
 * document that cannot be translated included; Herd's own failures throw.
 */
async function translateFetchedPost(
  env: IngestEnv,
  fetched: Awaited<ReturnType<typeof fetchObject>>,
  budget: FetchBudget,
): Promise<RemoteStatusInput | null> {
  if (!fetched || !isStatusObject(fetched.object)) return null;
  const authorUri = fetched.object.attributionId;
  // fetchObject checked that the document is served at its own id: its origin is the post's.
  if (!authorUri || authorUri.origin !== fetched.object.id?.origin) return null;
  try {
    const author = await env.lookup.remoteActor(authorUri);
    return author ? await translateNote(env, fetched.object, fetched.raw, { author, depth: 0, budget }) : null;
  } catch (error) {
    if (error instanceof HerdFailure) throw error.cause;
    env.log.debug({ id: fetched.object.id?.href, err: error }, "fetched post could not be translated");
    return null;
  }
}

/**
 * Fetches the stored remote status `statusUri` again from its id and applies it as an Update of it would be
 * (Mastodon's FetchRemotePollService before a poll's end notifications): new tallies, a moved end, an edit.
 * The loader's cached copy is dropped first: one read minutes ago holds the very tallies this fetch replaces.
 * False when the origin cannot give it (unreachable, gone, not a post, another author's); Herd's own failures throw.
 */
export async function refreshRemoteStatus(deps: JobDeps, statusUri: string): Promise<boolean> {
  if (!deps.http) return false;
  if (!URL.canParse(statusUri)) return false;
  const uri = new URL(statusUri);
  const env = environment(deps, deps.http);
  await new CacheKvStore(deps.cache).delete([...DOCUMENT_CACHE_PREFIX, uri.href]);
  const budget = fetchBudget();
  const input = await translateFetchedPost(env, await fetchObject(env, uri, budget), budget);
  return input !== null && (await ownFailures(() => env.inbound.receiveStatusUpdate(input))) !== null;
}

/** Replies of one post fetched (Mastodon's FETCH_REPLIES_MAX_SINGLE): a bounded look below it. */
export const MAX_FETCHED_REPLIES = 5;

/** The ids a collection or collection page lists (strings, or objects with an id). */
function itemIds(page: unknown): string[] {
  const p = page as { items?: unknown; orderedItems?: unknown } | null;
  const items = p?.items ?? p?.orderedItems;
  const list = Array.isArray(items) ? items : items === undefined ? [] : [items];
  return list.map((i) => (typeof i === "string" ? i : (i as { id?: unknown } | null)?.id)).filter((i): i is string => typeof i === "string");
}

/**
 * The first replies of the stored post `statusUri`, from its `replies` collection (the embedded first page, or
 * the pages fetched): each fetched and stored as a post found by URL is, without going further down. Bounded
 * to MAX_FETCHED_REPLIES; anything unreachable is skipped.
 */
export async function fetchReplies(deps: JobDeps, statusUri: string): Promise<number> {
  if (!deps.http) return 0;
  const env = environment(deps, deps.http);
  const load = async (value: unknown): Promise<unknown> => {
    if (typeof value !== "string") return value;
    const url = new URL(value);
    if (url.origin !== new URL(statusUri).origin) return null;
    return (await env.loader(url.href)).document;
  };
  try {
    const post = (await load(statusUri)) as { replies?: unknown } | null;
    const collection = (await load(post?.replies)) as { first?: unknown } | null;
    let ids = itemIds(collection);
    if (ids.length === 0) ids = itemIds(await load(collection?.first));
    let stored = 0;
    for (const id of ids.slice(0, MAX_FETCHED_REPLIES)) if ((await resolveStatusUrl(deps, id, { withReplies: false })) !== null) stored++;
    return stored;
  } catch (error) {
    if (error instanceof HerdFailure) throw error.cause;
    deps.log.debug({ statusUri, err: error }, "replies: could not be fetched");
    return 0;
  }
}
