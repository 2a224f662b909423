import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { MemoryKvStore } from "@fedify/fedify";
import { silentLogger } from "../../src/app/logger.ts";
import { guardedDocumentLoader } from "../../src/federation/document-loader.ts";
import { plainHttpPeers } from "../../src/federation/plain-http-peers.ts";
import { RemoteActors } from "../../src/federation/remote-actors.ts";
import type { HttpClient } from "../../src/ports/http-client.ts";
import type { Logger } from "../../src/ports/logger.ts";
import type { TestApp } from "./test-app.ts";

/**
 * A stand-in for another fediverse server on 127.0.0.1 (plain http, as development peers are): WebFinger and
 * Mastodon-shaped actor documents that tests edit, plus an avatar and a header. Counts every request by path.
 */
export interface RemotePeer {
  /** `127.0.0.1:port`: the domain its accounts get. */
  readonly host: string;
  /** `http://127.0.0.1:port` */
  readonly base: string;
  /** Actor documents by username (served at /users/{username}); edit them to change what the peer answers. */
  readonly actors: Map<string, Record<string, unknown>>;
  /** WebFinger answers by resource, served before the default (`acct:{username}@{host}` of `actors`). */
  readonly jrds: Map<string, Record<string, unknown>>;
  /** Raw responses by path, for documents that are not actors (bad JSON, a Note, …). */
  readonly raw: Map<string, { status: number; type: string; body: string }>;
  /** Requests seen, by path (WebFinger as `webfinger:acct:…`). */
  hits(path: string): number;
  /** A Mastodon-shaped Person (public key, pictures, fields, an emoji, HTML in name, bio and fields). */
  person(username: string, extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

const PUBLIC_KEY_PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();

const MASTODON_CONTEXT = [
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/v1",
  {
    manuallyApprovesFollowers: "as:manuallyApprovesFollowers",
    toot: "http://joinmastodon.org/ns#",
    featured: { "@id": "toot:featured", "@type": "@id" },
    featuredTags: { "@id": "toot:featuredTags", "@type": "@id" },
    alsoKnownAs: { "@id": "as:alsoKnownAs", "@type": "@id" },
    movedTo: { "@id": "as:movedTo", "@type": "@id" },
    schema: "http://schema.org#",
    PropertyValue: "schema:PropertyValue",
    value: "schema:value",
    discoverable: "toot:discoverable",
    indexable: "toot:indexable",
    Emoji: "toot:Emoji",
  },
];

export async function startRemotePeer(): Promise<RemotePeer> {
  const counts = new Map<string, number>();
  const actors = new Map<string, Record<string, unknown>>();
  const raw = new Map<string, { status: number; type: string; body: string }>();
  const jrds = new Map<string, Record<string, unknown>>();
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
  let host = "";
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/.well-known/webfinger") {
      const resource = url.searchParams.get("resource") ?? "";
      count(`webfinger:${resource}`);
      const fixed = jrds.get(resource);
      if (fixed) return void res.writeHead(200, { "content-type": "application/jrd+json" }).end(JSON.stringify(fixed));
      const m = /^acct:([^@]+)@(.+)$/.exec(resource);
      const actor = m && m[2] === host ? actors.get(m[1]) : undefined;
      if (!m || !actor) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": "application/jrd+json" }).end(
        JSON.stringify({
          subject: resource,
          aliases: [actor.id],
          links: [
            { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: actor.url },
            { rel: "self", type: "application/activity+json", href: actor.id },
          ],
        }),
      );
    }
    count(url.pathname);
    if (url.pathname === "/avatar.png" || url.pathname === "/header.png") return void res.writeHead(200, { "content-type": "image/png" }).end(png);
    const r = raw.get(url.pathname);
    if (r) return void res.writeHead(r.status, { "content-type": r.type }).end(r.body);
    const m = /^\/users\/([^/]+)$/.exec(url.pathname);
    const actor = m ? actors.get(m[1]) : undefined;
    if (!actor) return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not Found"}');
    res.writeHead(200, { "content-type": "application/activity+json; charset=utf-8" }).end(JSON.stringify(actor));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `http://${host}`;
  return {
    host,
    base,
    actors,
    jrds,
    raw,
    hits: (path) => counts.get(path) ?? 0,
    person(username, extra = {}) {
      const id = `${base}/users/${username}`;
      return {
        "@context": MASTODON_CONTEXT,
        id,
        type: "Person",
        following: `${id}/following`,
        followers: `${id}/followers`,
        inbox: `${id}/inbox`,
        outbox: `${id}/outbox`,
        featured: `${id}/collections/featured`,
        featuredTags: `${id}/collections/tags`,
        preferredUsername: username,
        name: `<b>${username}</b> <script>alert(1)</script>:blob:`,
        summary: `<p>Hi <a href="https://example.org/" onclick="steal()">there</a><img src=x onerror=alert(1)></p><script>alert(2)</script><iframe src="https://evil.example/"></iframe><a href="javascript:alert(3)">js</a>`,
        url: `${base}/@${username}`,
        manuallyApprovesFollowers: true,
        discoverable: true,
        indexable: true,
        published: "2020-05-17T00:00:00Z",
        publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: PUBLIC_KEY_PEM },
        tag: [{ id: `${base}/emojis/1`, type: "Emoji", name: ":blob:", icon: { type: "Image", mediaType: "image/png", url: `${base}/avatar.png` } }],
        attachment: [
          { type: "PropertyValue", name: "<em>Site</em><script>x()</script>", value: `<a href="https://site.example/" rel="me" style="color:red" onmouseover="x()">site.example</a>` },
          { type: "PropertyValue", name: "Pronouns", value: "they/them" },
        ],
        endpoints: { sharedInbox: `${base}/inbox` },
        icon: { type: "Image", mediaType: "image/png", url: `${base}/avatar.png` },
        image: { type: "Image", mediaType: "image/png", url: `${base}/header.png` },
        alsoKnownAs: [`https://old.example/users/${username}`],
        ...extra,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** RemoteActors over a test app's container (its guarded client, unless another is given). */
export function remoteActorsFor(t: TestApp, options: { http?: HttpClient; allowedHttp?: (url: URL) => boolean; log?: Logger } = {}): RemoteActors {
  const c = t.container;
  const http = options.http ?? c.http;
  return new RemoteActors({
    db: c.db,
    cache: c.cache,
    clock: c.clock,
    instance: c.jobDeps.instance,
    http,
    log: options.log ?? silentLogger,
    documentLoader: guardedDocumentLoader(http, new MemoryKvStore()),
    // As the container decides it: LOCAL_HTTPS=false with ALLOWED_PRIVATE_ADDRESSES covering the peer.
    allowedHttp: options.allowedHttp ?? plainHttpPeers(c.config),
  });
}

/** A logger that keeps every entry, for asserting why something was refused. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const log = (obj: object, msg?: string) => void lines.push(`${msg ?? ""} ${JSON.stringify(obj)}`);
  const logger: Logger & { lines: string[] } = { lines, error: log, warn: log, info: log, debug: log, child: () => logger };
  return logger;
}
