import { signRequest, type DocumentLoader } from "@fedify/fedify";
import { getActorTypeName, Image, isActor, Link, Object as ASObject, PropertyValue, type Actor } from "@fedify/fedify/vocab";
import type { InstanceSettings } from "../domain/instance.ts";
import type { Cache } from "../ports/cache.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { HttpClient } from "../ports/http-client.ts";
import type { Logger } from "../ports/logger.ts";
import type { RemoteResolver } from "../ports/remote-resolver.ts";
import { ACTOR_TYPES, type AccountRecord, type ActorType } from "../ports/repositories/accounts.ts";
import { isDomainRefused } from "../services/federation/domain-policy.ts";
import { storeRemoteAccount, type RemoteActorProfile } from "../services/federation/remote-accounts.ts";
import { ACCEPT, type FetchSigner } from "./document-loader.ts";
import { emojiTagsOf } from "./emoji-tags.ts";
import { actorLink, lookupWebFinger, normalizeHost, parseAcct } from "./webfinger-client.ts";

export interface RemoteActorsDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
  readonly instance: InstanceSettings;
  /** The guarded client: every fetch here goes through it. */
  readonly http: HttpClient;
  readonly log: Logger;
  /** The guarded JSON-LD loader (document-loader.ts), for contexts and objects the actor only links to. */
  readonly documentLoader: DocumentLoader;
  /**
   * Whether a plain-http URL may be fetched: true only for development peers (LOCAL_HTTPS=false and the host's
   * address listed in ALLOWED_PRIVATE_ADDRESSES). Https is always allowed (the SSRF guard still applies).
   */
  readonly allowedHttp: (url: URL) => boolean;
  /** The instance actor's key: an actor fetch answered 401/403 is retried signed (peers with authorized fetch). */
  readonly fetchSigner?: () => Promise<FetchSigner>;
}

/** A stored remote actor is answered from its row this long after its document was fetched. */
export const ACTOR_FRESH_MS = 86_400_000;

const MAX_ACTOR_BYTES = 1024 * 1024;
/** Remote usernames as Mastodon accepts them from other servers (letters, digits, `_`, `.`, `-`). */
const USERNAME = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]{0,253}[\p{L}\p{N}_])?$/u;

/** Why a fetch gave nothing; logged at debug, never thrown to callers. */
class Refused extends Error {}

interface ResolveOptions {
  readonly refresh?: boolean;
  /** The handle's domain when resolving `user@domain`: its WebFinger already pointed at this actor. */
  readonly claimedDomain?: string;
  /** Nested resolves (an actor's movedTo) go one level deep, no further. */
  readonly depth?: number;
}

/**
 * Remote accounts from their servers: finds actors by handle (WebFinger) or id, fetches their documents through
 * the guarded client, parses them with Fedify, checks that the document comes from the origin of its id, and
 * stores them (sanitized, by storeRemoteAccount). A stored actor younger than a day is answered from the database;
 * an older one is fetched again. Concurrent resolves of one actor or handle share one fetch. Every failure
 * (refused address, http where https is required, a suspended domain, 404, timeout, not JSON, not an actor, a
 * spoofed id) gives null and a debug log, never an exception; an actor stored before stays as it was and is
 * returned. Outgoing fetches are not cached (a refresh must see the server's current document); the JSON-LD
 * loader is used only for what the document links to.
 */
export class RemoteActors implements RemoteResolver {
  readonly #deps: RemoteActorsDeps;
  readonly #inflight = new Map<string, Promise<AccountRecord | null>>();

  constructor(deps: RemoteActorsDeps) {
    this.#deps = deps;
  }

  /** RemoteResolver: an http(s) URL is an actor id, anything else a handle. */
  resolveAccount(query: string): Promise<AccountRecord | null> {
    const q = query.trim();
    return /^https?:\/\//i.test(q) ? this.resolveActor(q) : this.resolveHandle(q);
  }

  /**
   * The account of the actor at `uri`: the stored one while fresh (unless `refresh`), else fetched and stored.
   * A URL of this instance gives the local account it names. Null when not an actor, refused or unreachable.
   */
  resolveActor(uri: string | URL, options: { refresh?: boolean } = {}): Promise<AccountRecord | null> {
    return this.#actor(String(uri), options);
  }

  /** The account of `@user@host`, `user@host` or `acct:user@host`: local, stored and fresh, or found by WebFinger. */
  resolveHandle(handle: string): Promise<AccountRecord | null> {
    const acct = parseAcct(handle.trim().replace(/^@/, ""));
    if (acct === null) return Promise.resolve(null);
    const key = `acct:${acct.username.toLowerCase()}@${acct.host}`;
    return this.#shared(key, () => this.#handle(acct.username, acct.host));
  }

  #shared(key: string, run: () => Promise<AccountRecord | null>): Promise<AccountRecord | null> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const p = run()
      .catch((error: unknown) => {
        this.#deps.log.debug({ key, err: error instanceof Error ? error.message : String(error) }, "remote account not resolved");
        return null;
      })
      .finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  #isLocalHost(host: string): boolean {
    const h = host.toLowerCase();
    return h === this.#deps.instance.localDomain.toLowerCase() || h === this.#deps.instance.webDomain.toLowerCase() || h === new URL(this.#deps.instance.baseUrl).host;
  }

  #fresh(account: AccountRecord): boolean {
    const at = account.fetchedAt ?? null;
    return at !== null && this.#deps.clock.now() - at < ACTOR_FRESH_MS;
  }

  /** Whether Herd may fetch this URL: https, or http for an allowed development peer. */
  #schemeAllowed(url: URL): boolean {
    return url.protocol === "https:" || (url.protocol === "http:" && this.#deps.allowedHttp(url));
  }

  /** Suspended domains (and, in limited federation mode, domains not allowed) are never asked anything. */
  async #refuseBlockedDomain(host: string): Promise<void> {
    if (await isDomainRefused(this.#deps, host)) throw new Refused(`${host} is suspended or not allowed`);
  }

  async #handle(username: string, host: string): Promise<AccountRecord | null> {
    const repos = this.#deps.db.repos.accounts;
    if (this.#isLocalHost(host)) return repos.findLocalRecord(username);
    await this.#refuseBlockedDomain(host);
    const known = await repos.findRemote(username, host);
    if (known && this.#fresh(known)) return known;
    if (known?.uri) return (await this.#actor(known.uri, { refresh: true })) ?? known;
    const jrd = await this.#webfinger(username, host);
    const href = jrd === null ? null : actorLink(jrd);
    if (href === null) throw new Refused(`no ActivityPub actor for ${username}@${host}`);
    return this.#actor(href, { claimedDomain: host });
  }

  #actor(raw: string, options: ResolveOptions): Promise<AccountRecord | null> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return Promise.resolve(null);
    }
    url.hash = "";
    // Nested resolves do not share with top-level ones: two actors moved to each other, resolved at once, would
    // otherwise each wait for the other forever.
    const depth = options.depth ?? 0;
    return this.#shared(`actor:${depth}:${url.href}`, () => this.#fetchActor(url, options));
  }

  async #fetchActor(url: URL, options: ResolveOptions): Promise<AccountRecord | null> {
    const repos = this.#deps.db.repos.accounts;
    if (url.origin === new URL(this.#deps.instance.baseUrl).origin) {
      const m = /^\/users\/([^/]+)\/?$/.exec(url.pathname);
      return m ? repos.findLocalRecord(decodeURIComponent(m[1])) : null;
    }
    await this.#refuseBlockedDomain(url.host);
    const known = await repos.findByUri(url.href);
    if (known && !options.refresh && this.#fresh(known)) return known;
    try {
      return await this.#fetchAndStore(url, known, options);
    } catch (error) {
      // A server that is down (or answers nonsense for a while) leaves its stored accounts usable as they were.
      if (known === null) throw error;
      this.#deps.log.debug({ uri: url.href, err: error instanceof Error ? error.message : String(error) }, "remote account not refreshed");
      return known;
    }
  }

  async #fetchAndStore(url: URL, known: AccountRecord | null, options: ResolveOptions): Promise<AccountRecord | null> {
    const repos = this.#deps.db.repos.accounts;
    const { json, documentUrl } = await this.#fetchJson(url);
    const id = typeof json.id === "string" && URL.canParse(json.id) ? new URL(json.id) : null;
    if (id === null) throw new Refused(`${url.href}: the document has no id`);
    // A server speaks only for its own origin: an actor document whose id is elsewhere is not believed.
    if (id.origin !== documentUrl.origin) throw new Refused(`${url.href}: the document claims the id ${id.href}, on another origin`);
    const loader = this.#deps.documentLoader;
    const object = await ASObject.fromJsonLd(json, { documentLoader: loader, contextLoader: loader });
    if (!isActor(object)) throw new Refused(`${url.href} is not an actor`);
    const actorType = getActorTypeName(object) as ActorType;
    if (!ACTOR_TYPES.includes(actorType)) throw new Refused(`${url.href}: unsupported actor type ${actorType}`);
    const username = typeof object.preferredUsername === "string" ? object.preferredUsername : String(object.preferredUsername ?? "");
    if (!USERNAME.test(username)) throw new Refused(`${url.href}: no usable preferredUsername`);
    const actorId = id.href;
    const stored = id.href === url.href ? known : await repos.findByUri(actorId);
    const domain = stored?.domain ?? (await this.#confirmedDomain(username, id, options.claimedDomain ?? null));
    const profile = await this.#profile(object, json, actorId, username, domain, actorType);
    let movedToUri = profile.movedToUri;
    if (movedToUri !== null && (options.depth ?? 0) === 0 && (await repos.findByUri(movedToUri)) === null) {
      // The account it moved to is stored first, so the move can point at it.
      const target = await this.#actor(movedToUri, { depth: 1 });
      if (target === null) movedToUri = null;
    }
    const result = await storeRemoteAccount(this.#deps, { ...profile, movedToUri });
    return result?.account ?? null;
  }

  /**
   * The handle domain of a new actor. Its own host's WebFinger says which domain is canonical (servers whose
   * handles are on another domain than their web host answer `acct:user@handle-domain`); a domain other than
   * the actor's host is believed only when its own WebFinger points back at this actor. Anything unconfirmed
   * falls back to the actor's host.
   */
  async #confirmedDomain(username: string, id: URL, claimed: string | null): Promise<string> {
    const actorHost = id.host.toLowerCase();
    if (claimed === actorHost) return actorHost;
    const jrd = await this.#webfinger(username, actorHost);
    if (jrd === null || actorLink(jrd) !== id.href) return actorHost;
    const subject = jrd.subject === null ? null : parseAcct(jrd.subject);
    if (subject === null || subject.host === actorHost) return actorHost;
    if (subject.host === claimed) return claimed;
    const back = await this.#webfinger(subject.username, subject.host);
    return back !== null && actorLink(back) === id.href ? subject.host : actorHost;
  }

  async #webfinger(username: string, host: string) {
    const normalized = normalizeHost(host);
    if (normalized === null) return null;
    // Https, unless this is a development peer reachable over http (LOCAL_HTTPS=false, allowed address).
    const scheme = this.#deps.allowedHttp(new URL(`http://${normalized}/`)) ? "http" : "https";
    return lookupWebFinger(
      this.#deps.http,
      { scheme, host: normalized, resource: `acct:${username}@${normalized}` },
      {
        acceptUrl: (u) => this.#schemeAllowed(u),
        onFailure: (reason) => this.#deps.log.debug({ acct: `${username}@${normalized}`, reason }, "webfinger lookup failed"),
      },
    );
  }

  /** GETs an ActivityPub document (signed on a 401/403 when a signer is configured); throws Refused otherwise. */
  async #fetchJson(url: URL): Promise<{ json: Record<string, unknown>; documentUrl: URL }> {
    if (!this.#schemeAllowed(url)) throw new Refused(`${url.href}: plain http is only fetched from allowed development peers`);
    const limits = { maxBytes: MAX_ACTOR_BYTES };
    let response = await this.#deps.http.request(url, { headers: { accept: ACCEPT }, ...limits });
    if ((response.status === 401 || response.status === 403) && this.#deps.fetchSigner) {
      const { keyId, privateKey } = await this.#deps.fetchSigner();
      const signed = await signRequest(new Request(url, { headers: { accept: ACCEPT } }), privateKey, keyId, { spec: "draft-cavage-http-signatures-12" });
      response = await this.#deps.http.request(url, { headers: signed.headers, ...limits });
    }
    if (!response.ok) throw new Refused(`${url.href} answered ${response.status}`);
    const documentUrl = response.url && URL.canParse(response.url) ? new URL(response.url) : url;
    if (!this.#schemeAllowed(documentUrl)) throw new Refused(`${url.href} redirected to ${documentUrl.href}`);
    const type = (response.headers.get("content-type") ?? "").toLowerCase();
    if (!/^application\/(activity\+json|ld\+json|json)\b/.test(type)) throw new Refused(`${url.href} answered ${type || "no content type"}, not JSON`);
    let json: unknown;
    try {
      json = JSON.parse(await response.text());
    } catch {
      throw new Refused(`${url.href} answered malformed JSON`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Refused(`${url.href} answered JSON that is not an object`);
    return { json: json as Record<string, unknown>, documentUrl };
  }

  /** The actor in domain terms (raw text: storeRemoteAccount sanitizes it). */
  async #profile(actor: Actor, json: Record<string, unknown>, uri: string, username: string, domain: string, actorType: ActorType): Promise<RemoteActorProfile> {
    const loader = this.#deps.documentLoader;
    const fetchOptions = { documentLoader: loader, contextLoader: loader, suppressError: true } as const;
    const fields: { name: string; value: string }[] = [];
    try {
      for await (const a of actor.getAttachments(fetchOptions)) {
        if (!(a instanceof PropertyValue) || a.name === null || a.value === null) continue;
        fields.push({ name: String(a.name), value: String(a.value) });
        if (fields.length >= 50) break;
      }
    } catch (error) {
      this.#deps.log.debug({ uri, err: String(error) }, "actor attachments unreadable");
    }
    const imageUrl = async (get: () => Promise<Image | null>): Promise<string | null> => {
      try {
        const image = await get();
        const u = image?.url;
        return u instanceof URL ? u.href : u instanceof Link ? (u.href?.href ?? null) : null;
      } catch {
        return null;
      }
    };
    const url = actor.url instanceof URL ? actor.url.href : actor.url instanceof Link ? (actor.url.href?.href ?? null) : null;
    const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));
    return {
      username,
      domain,
      uri,
      url,
      displayName: text(actor.name),
      note: text(actor.summary),
      fields,
      locked: actor.manuallyApprovesFollowers ?? false,
      bot: actorType === "Service" || actorType === "Application",
      discoverable: actor.discoverable ?? null,
      indexable: actor.indexable ?? false,
      avatarRemoteUrl: await imageUrl(() => actor.getIcon(fetchOptions)),
      headerRemoteUrl: await imageUrl(() => actor.getImage(fetchOptions)),
      inboxUrl: actor.inboxId?.href ?? null,
      sharedInboxUrl: actor.endpoints?.sharedInbox?.href ?? null,
      outboxUrl: actor.outboxId?.href ?? null,
      followersUrl: actor.followersId?.href ?? null,
      followingUrl: actor.followingId?.href ?? null,
      featuredUrl: actor.featuredId?.href ?? null,
      featuredTagsUrl: actor.featuredTagsId?.href ?? null,
      actorType,
      alsoKnownAs: actor.aliasIds.map((u) => u.href),
      movedToUri: actor.successorId?.href ?? null,
      published: actor.published ? actor.published.epochMilliseconds : null,
      emojis: await emojiTagsOf(actor),
      ...embeddedCounts(json),
    };
  }
}

/** totalItems of collections the document embeds (most servers only link them; fetching them is not worth it here). */
function embeddedCounts(json: Record<string, unknown>): { followersCount?: number; followingCount?: number; statusesCount?: number } {
  const total = (v: unknown): number | undefined => {
    if (v === null || typeof v !== "object") return undefined;
    const n = (v as Record<string, unknown>).totalItems;
    return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  };
  const out: { followersCount?: number; followingCount?: number; statusesCount?: number } = {};
  const followers = total(json.followers);
  const following = total(json.following);
  const statuses = total(json.outbox);
  if (followers !== undefined) out.followersCount = followers;
  if (following !== undefined) out.followingCount = following;
  if (statuses !== undefined) out.statusesCount = statuses;
  return out;
}
