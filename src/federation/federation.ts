import {
  createFederation, getRemoteDocument, signRequest, type AuthenticatedDocumentLoaderFactory, type DocumentLoader, type Federation,
  type KvStore, type RequestContext,
} from "@fedify/fedify";
import { Create, Emoji, Hashtag, Note, Tombstone, type Recipient } from "@fedify/fedify/vocab";
import { parseId } from "../domain/ids.ts";
import type { InstanceSettings } from "../domain/instance.ts";
import type { Cache } from "../ports/cache.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { HttpClient } from "../ports/http-client.ts";
import type { Logger } from "../ports/logger.ts";
import type { MediaStore } from "../ports/media-store.ts";
import type { AccountRecord } from "../ports/repositories/accounts.ts";
import {
  COLLECTION_PAGE_SIZE, featuredStatuses, featuredTags, findLocalActor, findLocalEmoji, findPublishedAccount, outboxPage, relationshipPage, type instanceUsage,
  type FederationReadDeps,
} from "../services/federation/actors.ts";
import { findPublicStatusObject, loadStatusObjects, publicReplies } from "../services/federation/objects.ts";
import { ACCEPT, guardedDocumentLoader } from "./document-loader.ts";
import { CacheKvStore } from "./fedify-kv-store.ts";
import { registerInboxListeners } from "./inbox/listeners.ts";
import { signatureKeyHosts } from "./inbox/guard.ts";
import { isDomainRefused } from "../services/federation/domain-policy.ts";
import { cryptoKeyPairs } from "./keys.ts";
import { instanceFetchSigner } from "./instance-signer.ts";
import { LocalUris } from "./uris.ts";
import { movedToUri } from "./moved-to.ts";
import { accountUri, createActivity, customEmoji, featuredHashtag, localActor, repliesCollection, statusObject, type VocabContext } from "./vocab.ts";

/** What the federation endpoints use: ports, instance settings, and the guarded HTTP client. */
export interface FederationDeps {
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly media: MediaStore;
  readonly log: Logger;
  readonly http: HttpClient;
  /** AUTHORIZED_FETCH: objects and collections only for signed requests. */
  readonly authorizedFetch: boolean;
  /** Herd's version, for NodeInfo. */
  readonly version: string;
}

/** The Fedify federation and what Herd's own routes around it share. */
export interface HerdFederation {
  readonly federation: Federation<void>;
  readonly vocab: VocabContext;
  readonly kv: KvStore;
  /** The guarded document loader every fetch of this federation goes through (signed retry, KvStore cache). */
  readonly loader: DocumentLoader;
  readonly deps: FederationDeps;
}


/** Whether `identifier` (the {identifier} of a URL) names this account exactly, as its canonical username. */
function sameName(account: AccountRecord, identifier: string): boolean {
  return account.username === identifier;
}

/** Collection cursors are row or status ids; anything else is no page. */
function cursorId(cursor: string): bigint | undefined | null {
  if (cursor === "") return undefined;
  return parseId(cursor);
}

/**
 * Builds Herd's Fedify federation: actors, their keys and collections, local statuses as objects, WebFinger, and
 * the personal and shared inboxes (inbox/listeners.ts). Every document Fedify fetches goes through Herd's guarded
 * HTTP client.
 */
export function createHerdFederation(deps: FederationDeps): HerdFederation {
  const kv = new CacheKvStore(deps.cache);
  const uris = new LocalUris(deps.instance);
  const vocab: VocabContext = { instance: deps.instance, uris, media: deps.media };
  const read: FederationReadDeps = { db: deps.db, cache: deps.cache, clock: deps.clock };
  const loader = guardedDocumentLoader(deps.http, kv, instanceFetchSigner({ ...read, instance: deps.instance }));
  const authenticated: AuthenticatedDocumentLoaderFactory = (identity) => async (url, options) => {
    const signed = await signRequest(new Request(url, { headers: { accept: ACCEPT } }), identity.privateKey, identity.keyId);
    const response = await deps.http.request(url, { headers: signed.headers, ...(options?.signal ? { signal: options.signal } : {}) });
    return getRemoteDocument(url, response, loader);
  };
  const federation = createFederation<void>({
    kv,
    // Mastodon's skew: a signature's Date (or `created`) within an hour. Fedify's default for `created` is a minute.
    signatureTimeWindow: { hours: 1 },
    origin: { handleHost: deps.instance.localDomain, webOrigin: deps.instance.baseUrl },
    documentLoaderFactory: () => loader,
    contextLoaderFactory: () => loader,
    authenticatedDocumentLoaderFactory: authenticated,
  });

  // AUTHORIZED_FETCH: a valid signature, and not from a suspended (or, in limited federation, unlisted) domain;
  // the domain is read off the keyId first, so a refused domain's key is never even fetched.
  const authorized = async (ctx: RequestContext<void>): Promise<boolean> => {
    if (!deps.authorizedFetch) return true;
    for (const host of signatureKeyHosts(ctx.request.headers)) if (await isDomainRefused(deps, host)) return false;
    const owner = await ctx.getSignedKeyOwner();
    return owner?.id != null && !(await isDomainRefused(deps, owner.id.host));
  };

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      const found = await findLocalActor(read, identifier);
      if (!found || (found.kind === "actor" ? found.actor.account : found.account).username !== identifier) return null;
      if (found.kind === "gone") return new Tombstone({ id: ctx.getActorUri(identifier) });
      const pairs = await ctx.getActorKeyPairs(identifier);
      return localActor(vocab, found.actor.account, found.actor.emojis, {
        publicKey: pairs[0]?.cryptographicKey ?? null,
        assertionMethods: pairs.slice(1).map((p) => p.multikey),
        outbox: ctx.getOutboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        following: ctx.getFollowingUri(identifier),
        featured: ctx.getFeaturedUri(identifier),
        featuredTags: ctx.getFeaturedTagsUri(identifier),
        movedTo: await movedToUri(vocab, read, found.actor.account),
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const found = await findLocalActor(read, identifier);
      return found?.kind === "actor" ? cryptoKeyPairs(found.actor.keys) : [];
    })
    .mapHandle(async (_ctx, username) => (await findPublishedAccount(read, username))?.username ?? null);

  const accountFor = async (identifier: string): Promise<AccountRecord | null> => {
    const account = await findPublishedAccount(read, identifier);
    return account && account.suspendedAt === null && sameName(account, identifier) ? account : null;
  };

  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (ctx, identifier, cursor) => {
      const account = await accountFor(identifier);
      if (!account || cursor === null) return null;
      const maxId = cursorId(cursor);
      if (maxId === null) return null;
      const statuses = await outboxPage(read, account, maxId);
      const objects = await loadStatusObjects(read, statuses, account);
      const followers = ctx.getFollowersUri(identifier);
      const items = objects.map((o) => createActivity(vocab, o, statusObject(vocab, o, followers, null)));
      return { items, nextCursor: statuses.length === COLLECTION_PAGE_SIZE ? String(statuses[statuses.length - 1].id) : null };
    })
    .setCounter(async (_ctx, identifier) => (await accountFor(identifier))?.statusesCount ?? null)
    .setFirstCursor(() => "")
    .authorize(authorized);

  const relationshipDispatcher = (list: "followers" | "following") => async (_ctx: RequestContext<void>, identifier: string, cursor: string | null) => {
    const account = await accountFor(identifier);
    if (!account) return null;
    // Hidden collections show their size only (Mastodon's hide_collections): no first page, no items.
    if (account.hideCollections) return { items: [] };
    if (cursor === null) return null;
    const maxRowId = cursorId(cursor);
    if (maxRowId === null) return null;
    const page = await relationshipPage(read, list, account, maxRowId);
    const items = page.accounts.map((a) => accountUri(vocab, a)).filter((u): u is URL => u !== null);
    return { items, nextCursor: page.nextMaxRowId === null ? null : String(page.nextMaxRowId) };
  };

  federation
    .setFollowersDispatcher("/users/{identifier}/followers", async (ctx, identifier, cursor) => {
      const page = await relationshipDispatcher("followers")(ctx as RequestContext<void>, identifier, cursor);
      return page && { ...page, items: page.items.map((id) => ({ id, inboxId: null }) as Recipient) };
    })
    .setCounter(async (_ctx, identifier) => (await accountFor(identifier))?.followersCount ?? null)
    .setFirstCursor(async (_ctx, identifier) => ((await accountFor(identifier))?.hideCollections ? null : ""))
    .authorize(authorized);
  federation
    .setFollowingDispatcher("/users/{identifier}/following", relationshipDispatcher("following"))
    .setCounter(async (_ctx, identifier) => (await accountFor(identifier))?.followingCount ?? null)
    .setFirstCursor(async (_ctx, identifier) => ((await accountFor(identifier))?.hideCollections ? null : ""))
    .authorize(authorized);

  federation
    .setFeaturedDispatcher("/users/{identifier}/collections/featured", async (ctx, identifier) => {
      const account = await accountFor(identifier);
      if (!account) return null;
      const objects = await loadStatusObjects(read, await featuredStatuses(read, account), account);
      const followers = ctx.getFollowersUri(identifier);
      return { items: objects.map((o) => statusObject(vocab, o, followers, null)) };
    })
    .authorize(authorized);
  federation
    .setFeaturedTagsDispatcher("/users/{identifier}/collections/tags", async (_ctx, identifier) => {
      const account = await accountFor(identifier);
      if (!account) return null;
      return { items: (await featuredTags(read, account)).map((f): Hashtag => featuredHashtag(vocab, account.username, f)) };
    })
    .authorize(authorized);

  const statusDispatcher = async (ctx: RequestContext<void>, values: { identifier: string; id: string }) => {
    const id = parseId(values.id);
    if (id === null) return null;
    const o = await findPublicStatusObject(read, values.identifier, id);
    if (!o || o.author.username !== values.identifier) return null;
    const replies = repliesCollection(vocab, await publicReplies(read, o.status.id));
    return { o, object: statusObject(vocab, o, ctx.getFollowersUri(values.identifier), replies) };
  };
  federation
    .setObjectDispatcher(Note, "/users/{identifier}/statuses/{id}", async (ctx, values) => {
      const found = await statusDispatcher(ctx, values);
      // A poll's status is served as a Question; Fedify answers Question URLs through this route too.
      return found?.object ?? null;
    })
    .authorize(async (ctx) => authorized(ctx));
  federation
    .setObjectDispatcher(Create, "/users/{identifier}/statuses/{id}/activity", async (ctx, values) => {
      const found = await statusDispatcher(ctx, values);
      return found ? createActivity(vocab, found.o, found.object) : null;
    })
    .authorize(async (ctx) => authorized(ctx));

  federation.setObjectDispatcher(Emoji, "/emojis/{id}", async (_ctx, { id }) => {
    const emojiId = parseId(id);
    if (emojiId === null) return null;
    const emoji = await findLocalEmoji(read, emojiId);
    return emoji ? customEmoji(vocab, emoji) : null;
  });

  // Mastodon's WebFinger also tells remote users' servers where to send people who want to follow.
  federation.setWebFingerLinksDispatcher(() => [
    { rel: "http://ostatus.org/schema/1.0/subscribe", template: `${deps.instance.baseUrl}/authorize_interaction?uri={uri}` },
  ]);

  // POST /users/{identifier}/inbox and /inbox: verified by Fedify, then enqueued on ingress (inbox/listeners.ts).
  registerInboxListeners(federation, deps);

  return { federation, vocab, kv, loader, deps };
}

/**
 * NodeInfo 2.1 as Fedify's NodeInfo type (rendered with nodeInfoToJson). Herd serves the documents itself rather
 * than through setNodeInfoDispatcher: Fedify's rendering adds a top-level `$schema`, which both schemas forbid
 * (additionalProperties: false), and it serves 2.1 only where Mastodon serves 2.0.
 */
export function nodeInfo(deps: FederationDeps, usage: Awaited<ReturnType<typeof instanceUsage>>) {
  const [major = 0, minor = 0, patch = 0] = deps.version.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  return {
    software: {
      name: "herd",
      version: `${major}.${minor}.${patch}`,
      ...(deps.instance.sourceUrl ? { repository: new URL(deps.instance.sourceUrl) } : {}),
    },
    protocols: ["activitypub" as const],
    services: { inbound: [], outbound: [] },
    openRegistrations: deps.instance.registrationsMode !== "none" && !deps.instance.singleUserMode,
    usage: {
      users: { total: usage.users, activeMonth: usage.activeMonth, activeHalfyear: usage.activeHalfyear },
      localPosts: usage.localPosts,
      localComments: 0,
    },
    metadata: { nodeName: deps.instance.localDomain },
  };
}
