import type { InstanceSettings } from "../domain/instance.ts";

/** The URLs Herd gives its own actors, objects and pages, on WEB_DOMAIN (as Mastodon shapes them). */
export class LocalUris {
  readonly base: string;
  readonly localDomain: string;

  constructor(instance: InstanceSettings) {
    this.base = instance.baseUrl;
    this.localDomain = instance.localDomain;
  }

  actor(username: string): URL {
    return new URL(`/users/${encodeURIComponent(username)}`, this.base);
  }
  profile(username: string): URL {
    return new URL(`/@${encodeURIComponent(username)}`, this.base);
  }
  inbox(username: string): URL {
    return new URL(`/users/${encodeURIComponent(username)}/inbox`, this.base);
  }
  sharedInbox(): URL {
    return new URL("/inbox", this.base);
  }
  /** An actor's collections, at the paths Fedify's dispatchers in federation.ts serve. */
  collection(username: string, name: "outbox" | "followers" | "following" | "collections/featured" | "collections/tags"): URL {
    return new URL(`/users/${encodeURIComponent(username)}/${name}`, this.base);
  }
  actorKey(username: string): URL {
    return new URL(`/users/${encodeURIComponent(username)}#main-key`, this.base);
  }
  status(username: string, id: bigint): URL {
    return new URL(`/users/${encodeURIComponent(username)}/statuses/${id}`, this.base);
  }
  statusActivity(username: string, id: bigint): URL {
    return new URL(`/users/${encodeURIComponent(username)}/statuses/${id}/activity`, this.base);
  }
  statusPage(username: string, id: bigint): URL {
    return new URL(`/@${encodeURIComponent(username)}/${id}`, this.base);
  }
  tag(name: string): URL {
    return new URL(`/tags/${encodeURIComponent(name)}`, this.base);
  }
  taggedBy(username: string, name: string): URL {
    return new URL(`/@${encodeURIComponent(username)}/tagged/${encodeURIComponent(name)}`, this.base);
  }
  /** Mastodon's instance actor lives at /actor; its handle is the domain itself (acct:domain@domain). */
  instanceActor(): URL {
    return new URL("/actor", this.base);
  }
  instanceActorKey(): URL {
    return new URL("/actor#main-key", this.base);
  }
  /** The instance actor receives at the shared inbox: it is addressed only with server-wide activities. */
  instanceActorInbox(): URL {
    return new URL("/inbox", this.base);
  }
  /** The thread's id in `context`: a tag: URI as Mastodon mints for conversations it started. */
  conversation(conversationId: bigint, createdAt: number): URL {
    const day = new Date(createdAt).toISOString().slice(0, 10);
    return new URL(`tag:${this.localDomain.replace(/:\d+$/, "")},${day}:objectId=${conversationId}:objectType=Conversation`);
  }
}

/** The instance actor's preferredUsername, as Mastodon's: the local domain. */
export function instanceActorUsername(instance: InstanceSettings): string {
  return instance.localDomain;
}
