import {
  Accept, Activity, Add, Announce, Application, Block, Create, Delete, Flag, Follow, Group, Like, Move, Note, Organization,
  Person, Reject, Remove, Service, Undo, Update,
} from "@fedify/fedify/vocab";
import { preloadedContexts, type DocumentLoader } from "@fedify/fedify";
import { stripHtml } from "../../domain/remote-html.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { IngestEnv, IngestOutcome } from "./ingest-env.ts";
import { activityObject, fetchBudget, fetchObject, offlineOptions, type FetchBudget } from "./objects.ts";
import { isStatusObject, translateNote, visibilityOf } from "./translate-note.ts";

const applied = (what: string): IngestOutcome => ({ applied: what });
const ignored = (why: string): IngestOutcome => ({ ignored: why });

const isActorObject = (o: unknown) => o instanceof Person || o instanceof Service || o instanceof Application || o instanceof Group || o instanceof Organization;

/** One activity being translated: the parsed activity, its document, the verified actor and its stored account. */
interface Received {
  readonly activity: Activity;
  readonly raw: Record<string, unknown>;
  readonly actorUri: URL;
  readonly actor: AccountRecord;
  readonly budget: FetchBudget;
}

/** The activity classes handled below, by the name a document in the ActivityStreams context gives their type. */
const BY_TYPE: Readonly<Record<string, { fromJsonLd(json: unknown, options: object): Promise<Activity> }>> = {
  Accept, Add, Announce, Block, Create, Delete, Flag, Follow, Like, Move, Reject, Remove, Undo, Update,
};

const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";

/**
 * Whether a document's contexts give `type` and the type's name the meaning ActivityStreams gives them: the
 * ActivityStreams context is among them, and the others are ones Fedify ships or inline ones redefining neither.
 */
function plainTypeContext(context: unknown, type: string): boolean {
  const contexts = Array.isArray(context) ? context : [context];
  return contexts.includes(AS_CONTEXT) && contexts.every((c) =>
    typeof c === "string" ? Object.hasOwn(preloadedContexts, c) : c !== null && typeof c === "object" && !Object.hasOwn(c, "type") && !Object.hasOwn(c, type) && !Object.hasOwn(c, "@vocab"),
  );
}

/**
 * Parses an activity. Fedify's Activity.fromJsonLd expands the document to learn its type, then hands the same
 * document to that type's class, which expands it again: about a fifth of the parse, on every incoming activity.
 * When the compact `type` plainly names a class handled here (the contexts are ones Fedify ships, and inline ones
 * redefine neither `type` nor the name), that class parses it at once. The class still checks the expanded type;
 * on any refusal the generic parse decides, as before.
 */
export async function parseActivity(raw: Record<string, unknown>, options: { documentLoader: DocumentLoader; contextLoader: DocumentLoader }): Promise<Activity> {
  const type = raw.type;
  const direct = typeof type === "string" && Object.hasOwn(BY_TYPE, type) && plainTypeContext(raw["@context"], type) ? BY_TYPE[type] : null;
  if (direct) {
    const parsed = await direct.fromJsonLd(raw, options).catch(() => null);
    if (parsed) return parsed;
  }
  return Activity.fromJsonLd(raw, options);
}

/**
 * Translates one verified activity into calls of the inbound services. The activity's actor must be the
 * verified signer, its id on the actor's origin; the actor is resolved (fetched and stored when new). Types Herd
 * does not handle, objects it cannot resolve, and anything malformed are ignored (the outcome says why); only
 * the services' own failures (the database) throw.
 */
export async function ingestActivity(env: IngestEnv, document: unknown, signer: string): Promise<IngestOutcome> {
  if (document === null || typeof document !== "object" || Array.isArray(document)) return ignored("not an object");
  const raw = document as Record<string, unknown>;
  let activity: Activity;
  try {
    activity = await parseActivity(raw, { documentLoader: env.loader, contextLoader: env.loader });
  } catch (error) {
    env.log.debug({ err: error }, "inbox: activity does not parse");
    return ignored("unparseable");
  }
  const actorUri = activity.actorId;
  if (!actorUri) return ignored("no actor");
  if (actorUri.href !== signer) return ignored("actor is not the signer");
  if (actorUri.origin === env.localOrigin) return ignored("actor is local");
  if (activity.id && activity.id.origin !== actorUri.origin) return ignored("activity id on another origin");

  // A deleted actor cannot be fetched any more (410): its Delete is applied to the account already stored.
  if (activity instanceof Delete && activity.objectId?.href === actorUri.href) {
    const known = await env.lookup.knownRemoteActor(actorUri);
    if (!known) return ignored("unknown actor deleted");
    await env.inbound.receiveActorDeleted({ accountId: known.id });
    return applied("delete actor");
  }
  const actor = await env.lookup.remoteActor(actorUri);
  if (!actor) return ignored("actor unresolvable or refused");
  if (actor.suspendedAt !== null) return ignored("actor suspended");

  const r: Received = { activity, raw, actorUri, actor, budget: fetchBudget() };
  if (activity instanceof Follow) return follow(env, r);
  if (activity instanceof Accept || activity instanceof Reject) return answer(env, r, activity instanceof Accept);
  if (activity instanceof Undo) return undo(env, r);
  if (activity instanceof Create) return create(env, r);
  if (activity instanceof Update) return update(env, r);
  if (activity instanceof Delete) return remove(env, r);
  if (activity instanceof Like) return like(env, r);
  if (activity instanceof Announce) return announce(env, r);
  if (activity instanceof Block) return block(env, r);
  if (activity instanceof Flag) return flag(env, r);
  if (activity instanceof Move) return move(env, r);
  if (activity instanceof Add || activity instanceof Remove) return featured(env, r, activity instanceof Add);
  return ignored("unhandled type");
}

async function follow(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const objectId = r.activity.objectId;
  const target = objectId ? await env.lookup.localAccount(objectId) : null;
  if (!target) return ignored("follow of no local account");
  await env.inbound.receiveFollow({ followerId: r.actor.id, targetId: target.id, followUri: r.activity.id?.href ?? null });
  return applied("follow");
}

/**
 * Accept or Reject of a Follow a local account sent: the Follow embedded (its actor ours, its object the
 * answering actor), or named by its id, which Herd mints under the follower's actor URL.
 */
async function answer(env: IngestEnv, r: Received, accepted: boolean): Promise<IngestOutcome> {
  const embedded = await r.activity.getObject(offlineOptions()).catch(() => null);
  let follower: AccountRecord | null = null;
  if (embedded instanceof Follow) {
    if (embedded.objectId && embedded.objectId.href !== r.actorUri.href) return ignored("answer to a follow of someone else");
    follower = embedded.actorId ? await env.lookup.localAccount(embedded.actorId) : null;
  } else if (embedded) {
    return ignored("answer to something else than a follow");
  } else if (r.activity.objectId) {
    follower = await env.lookup.localAccount(withoutFragment(r.activity.objectId));
  }
  if (!follower) return ignored("answer to no local follow");
  const input = { localFollowerId: follower.id, remoteTargetId: r.actor.id };
  await (accepted ? env.inbound.receiveAccept(input) : env.inbound.receiveReject(input));
  return applied(accepted ? "accept" : "reject");
}

function withoutFragment(url: URL): URL {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy;
}

async function undo(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const inner = await r.activity.getObject(offlineOptions()).catch(() => null);
  if (!inner) {
    // Undo by id alone: only a boost can be found by the id of its activity.
    const id = r.activity.objectId;
    if (!id || id.origin !== r.actorUri.origin) return ignored("undo of nothing known");
    await env.inbound.receiveUndoAnnounce({ accountId: r.actor.id, uri: id.href });
    return applied("undo announce");
  }
  if (!(inner instanceof Activity)) return ignored("undo of no activity");
  if (inner.actorId?.href !== r.actorUri.href) return ignored("undo of another actor's activity");
  const objectId = inner.objectId;
  if (inner instanceof Follow) {
    const target = objectId ? await env.lookup.localAccount(objectId) : null;
    if (!target) return ignored("undo follow of no local account");
    await env.inbound.receiveUndoFollow({ followerId: r.actor.id, targetId: target.id });
    return applied("undo follow");
  }
  if (inner instanceof Block) {
    const target = objectId ? await env.lookup.localAccount(objectId) : null;
    if (!target) return ignored("undo block of no local account");
    await env.inbound.receiveUndoBlock({ accountId: r.actor.id, targetId: target.id });
    return applied("undo block");
  }
  if (inner instanceof Like) {
    const status = objectId ? await env.lookup.status(objectId) : null;
    if (!status) return ignored("undo like of an unknown status");
    await env.inbound.receiveUndoLike({ accountId: r.actor.id, statusId: status.id });
    return applied("undo like");
  }
  if (inner instanceof Announce) {
    if (!inner.id) return ignored("undo announce without id");
    await env.inbound.receiveUndoAnnounce({ accountId: r.actor.id, uri: inner.id.href });
    return applied("undo announce");
  }
  return ignored("undo of an unhandled type");
}

/** A poll vote: a Note with a `name` (the option), no content, replying to a local Question. */
async function vote(env: IngestEnv, r: Received, note: Note): Promise<IngestOutcome | null> {
  const name = note.name === null ? null : stripHtml(String(note.name));
  if (!name || note.contents.some((c) => String(c).trim() !== "") || !note.replyTargetId) return null;
  if (note.replyTargetId.origin !== env.localOrigin) return null;
  const status = await env.lookup.status(note.replyTargetId);
  if (!status) return ignored("vote in an unknown poll");
  await env.inbound.receiveVote({ accountId: r.actor.id, statusId: status.id, choiceTitles: [name] });
  return applied("vote");
}

async function create(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const found = await activityObject(env, r.activity, r.raw, r.budget, true);
  if (!found) return ignored("create of nothing");
  const { object, raw } = found;
  if (!isStatusObject(object)) return ignored("create of an unhandled type");
  if (object instanceof Note) {
    const voted = await vote(env, r, object);
    if (voted) return voted;
  }
  const input = await translateNote(env, object, raw, { author: r.actor, depth: 0, budget: r.budget });
  if (!input) return ignored("create of a post not the actor's");
  const result = await env.inbound.receiveStatus(input);
  return result ? applied("create") : ignored("status refused");
}

async function update(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const found = await activityObject(env, r.activity, r.raw, r.budget, false);
  const objectId = r.activity.objectId;
  if (objectId?.href === r.actorUri.href && (!found || isActorObject(found.object))) {
    // The profile is re-read from its server rather than taken from the activity, as Mastodon does for keys.
    await env.lookup.remoteActor(r.actorUri, { refresh: true });
    return applied("update actor");
  }
  if (!found) return ignored("update of nothing embedded");
  if (!isStatusObject(found.object)) return ignored("update of an unhandled type");
  const input = await translateNote(env, found.object, found.raw, { author: r.actor, depth: 0, budget: r.budget });
  if (!input) return ignored("update of a post not the actor's");
  await env.inbound.receiveStatusUpdate(input);
  return applied("update");
}

async function remove(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const objectId = r.activity.objectId;
  if (!objectId) return ignored("delete of nothing");
  if (objectId.origin !== r.actorUri.origin) return ignored("delete of another origin's object");
  // Embedded or not (a Tombstone, a Note), only the id matters: the services check the post is the actor's.
  await env.inbound.receiveDeleteStatus({ actorId: r.actor.id, uri: objectId.href });
  return applied("delete");
}

async function like(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const objectId = r.activity.objectId;
  const status = objectId ? await env.lookup.status(objectId) : null;
  if (!status) return ignored("like of an unknown status");
  await env.inbound.receiveLike({ accountId: r.actor.id, statusId: status.id });
  return applied("like");
}

/** A status by id: known already, or (remote) fetched and stored first. */
async function statusFor(env: IngestEnv, r: Received, uri: URL): Promise<bigint | null> {
  const known = await env.lookup.status(uri);
  if (known) return known.id;
  if (uri.origin === env.localOrigin) return null;
  const fetched = await fetchObject(env, uri, r.budget);
  if (!fetched || !isStatusObject(fetched.object)) return null;
  const authorUri = fetched.object.attributionId;
  if (!authorUri || authorUri.origin !== uri.origin) return null;
  const author = authorUri.href === r.actorUri.href ? r.actor : await env.lookup.remoteActor(authorUri);
  if (!author) return null;
  const input = await translateNote(env, fetched.object, fetched.raw, { author, depth: 0, budget: r.budget });
  if (!input) return null;
  return (await env.inbound.receiveStatus(input))?.statusId ?? null;
}

async function announce(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const id = r.activity.id;
  const objectId = r.activity.objectId;
  if (!id || !objectId) return ignored("announce without id or object");
  const statusId = await statusFor(env, r, objectId);
  if (statusId === null) return ignored("announce of an unknown status");
  const followers = await env.lookup.followers(r.actor);
  const visibility = visibilityOf(r.activity.toIds, r.activity.ccIds, followers);
  // Boosts are public, unlisted or followers-only; a boost addressed to nobody public stays with the followers.
  await env.inbound.receiveAnnounce({
    accountId: r.actor.id,
    statusId,
    uri: id.href,
    createdAt: r.activity.published?.epochMilliseconds ?? env.now(),
    visibility: visibility === "direct" ? "private" : visibility,
  });
  return applied("announce");
}

async function block(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  const objectId = r.activity.objectId;
  const target = objectId ? await env.lookup.localAccount(objectId) : null;
  if (!target) return ignored("block of no local account");
  await env.inbound.receiveBlock({ accountId: r.actor.id, targetId: target.id });
  return applied("block");
}

/** A report: its objects name a local account and, optionally, some of its statuses. */
async function flag(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  let target: AccountRecord | null = null;
  const statuses: { id: bigint; accountId: bigint }[] = [];
  for (const id of r.activity.objectIds.slice(0, 100)) {
    if (id.origin !== env.localOrigin) continue;
    const account = await env.lookup.localAccount(id);
    if (account) {
      target ??= account;
      continue;
    }
    const status = await env.lookup.status(id);
    if (status) statuses.push({ id: status.id, accountId: status.accountId });
  }
  const targetAccountId = target?.id ?? statuses[0]?.accountId;
  if (targetAccountId === undefined) return ignored("flag of nothing local");
  const content = r.activity.content;
  await env.inbound.receiveFlag({
    reporterId: r.actor.id,
    targetAccountId,
    statusIds: statuses.filter((s) => s.accountId === targetAccountId).map((s) => s.id),
    comment: stripHtml(content === null ? "" : String(content)).slice(0, 1_000),
    uri: r.activity.id?.href ?? null,
  });
  return applied("flag");
}

async function move(env: IngestEnv, r: Received): Promise<IngestOutcome> {
  if (r.activity.objectId?.href !== r.actorUri.href) return ignored("move of another account");
  const targetUri = r.activity.targetId;
  if (!targetUri) return ignored("move without target");
  // The target is re-read: its alsoKnownAs must name the moving account, and may be new since it was stored.
  const target = targetUri.origin === env.localOrigin ? await env.lookup.localAccount(targetUri) : await env.lookup.remoteActor(targetUri, { refresh: true });
  if (!target) return ignored("move to an unresolvable account");
  await env.inbound.receiveMove({ accountId: r.actor.id, targetId: target.id });
  return applied("move");
}

/** Add/Remove of a status to the actor's featured collection (pinned posts). Other collections are ignored. */
async function featured(env: IngestEnv, r: Received, add: boolean): Promise<IngestOutcome> {
  const targetId = r.activity.targetId;
  const featured = await env.lookup.featured(r.actor);
  if (!targetId || featured === null || targetId.href !== featured) return ignored("add/remove to another collection");
  const objectId = r.activity.objectId;
  if (!objectId || objectId.origin !== r.actorUri.origin) return ignored("add/remove of another origin's object");
  const statusId = add ? await statusFor(env, r, objectId) : ((await env.lookup.status(objectId))?.id ?? null);
  if (statusId === null) return ignored("add/remove of an unknown status");
  await env.inbound.receiveFeatured({ accountId: r.actor.id, statusId, featured: add });
  return applied(add ? "add featured" : "remove featured");
}

