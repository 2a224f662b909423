import { nodeInfoToJson } from "@fedify/fedify";
import { CryptographicKey, Multikey } from "@fedify/fedify/vocab";
import type { Context, Env, Hono, Next } from "hono";
import { instanceActorKeys, instanceUsage } from "../services/federation/actors.ts";
import { nodeInfo, type HerdFederation } from "./federation.ts";
import { cryptoKeyPairs } from "./keys.ts";
import { instanceActorUsername } from "./uris.ts";
import { instanceActor } from "./vocab.ts";
import { inboxGuard } from "./inbox/guard.ts";
import { fastInbox } from "./inbox/fast-inbox.ts";

const AS_JSON = "application/activity+json";

/**
 * Fedify's JRD echoes the resource as the subject; Mastodon always answers with the canonical acct: handle (in
 * the username's own case) and lists the profile page and the actor as aliases. Remote servers compare the
 * subject with the handle they derive from the actor, so it must be canonical whatever was asked.
 */
async function mastodonJrd(response: Response, base: string, localDomain: string): Promise<Response> {
  const jrd = (await response.json()) as { subject: string; aliases?: string[]; links: { rel: string; href?: string; type?: string }[] };
  for (const link of jrd.links) if (link.rel === "http://webfinger.net/rel/profile-page") link.type = "text/html";
  const self = jrd.links.find((l) => l.rel === "self")?.href;
  const match = self ? /\/users\/([^/?#]+)$/.exec(new URL(self).pathname) : null;
  if (self && match) {
    const username = decodeURIComponent(match[1]);
    jrd.subject = `acct:${username}@${localDomain}`;
    jrd.aliases = [new URL(`/@${encodeURIComponent(username)}`, base).href, self];
  }
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(jrd), { status: 200, headers });
}

function wantsActivityJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return /application\/activity\+json/i.test(accept) || (/application\/ld\+json/i.test(accept) && /activitystreams/i.test(accept)) || /application\/json/i.test(accept);
}

/**
 * Mounts the federation endpoints on the client-facing app: Fedify's routes (actors, collections, objects,
 * emojis, WebFinger) and Herd's own around them (the instance actor at /actor, NodeInfo 2.0 and 2.1 and the
 * discovery document listing both). host-meta is src/http/wellknown's. Requests Fedify does not route fall through to the rest of the
 * app. Actor and object URLs asked for as HTML get 406: Herd has no HTML profile or status pages yet.
 */
export function mountFederation<E extends Env>(app: Hono<E>, herd: HerdFederation): void {
  const { federation, vocab, deps } = herd;
  const read = { db: deps.db, cache: deps.cache, clock: deps.clock };
  const loader = herd.loader;
  const base = deps.instance.baseUrl;
  const instanceHandle = `acct:${instanceActorUsername(deps.instance)}@${deps.instance.localDomain}`;

  app.get("/.well-known/nodeinfo", (c) => {
    c.header("Cache-Control", "max-age=259200, public");
    return c.json({
      links: [
        { rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", href: `${base}/nodeinfo/2.0` },
        { rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${base}/nodeinfo/2.1` },
      ],
    });
  });

  for (const version of ["2.0", "2.1"] as const) {
    app.get(`/nodeinfo/${version}`, async (c) => {
      const { $schema: _schema, ...doc } = nodeInfoToJson(nodeInfo(deps, await instanceUsage(read))) as Record<string, any>;
      // 2.0 is 2.1 without software.repository and software.homepage.
      const software = version === "2.0" ? { name: doc.software.name, version: doc.software.version } : doc.software;
      c.header("Cache-Control", "max-age=1800, public");
      c.header("Access-Control-Allow-Origin", "*");
      c.header("Content-Type", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${version}#"`);
      return c.body(JSON.stringify({ ...doc, version, software }));
    });
  }

  const instanceActorJrd = () => ({
    subject: instanceHandle,
    aliases: [vocab.uris.instanceActor().href],
    links: [
      { rel: "self", type: AS_JSON, href: vocab.uris.instanceActor().href },
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: `${base}/about` },
    ],
  });

  app.get("/actor", async (c) => {
    if (!wantsActivityJson(c.req.header("accept"))) return c.text("Not Acceptable: ask for application/activity+json", 406, { Vary: "Accept" });
    const keys = await cryptoKeyPairs(await instanceActorKeys(read));
    const id = vocab.uris.instanceActor();
    const actor = instanceActor(
      vocab,
      new CryptographicKey({ id: vocab.uris.instanceActorKey(), owner: id, publicKey: keys[0].publicKey as never }),
      [new Multikey({ id: new URL("/actor#ed25519-key", base), controller: id, publicKey: keys[1].publicKey as never })],
    );
    const json = await actor.toJsonLd({ format: "compact", contextLoader: loader });
    c.header("Content-Type", `${AS_JSON}; charset=utf-8`);
    c.header("Vary", "Accept");
    return c.body(JSON.stringify(json));
  });

  const fedify = async (c: Context<E>, next: Next) => {
    if (c.req.path === "/.well-known/webfinger") {
      const resource = c.req.query("resource");
      if (resource === instanceHandle || resource === vocab.uris.instanceActor().href) {
        c.header("Access-Control-Allow-Origin", "*");
        c.header("Content-Type", "application/jrd+json; charset=utf-8");
        return c.body(JSON.stringify(instanceActorJrd()));
      }
    }
    let fallThrough = false;
    const response = await federation.fetch(c.req.raw, {
      contextData: undefined,
      onNotFound: () => {
        fallThrough = true;
        return new Response(null, { status: 404 });
      },
      onNotAcceptable: () => new Response("Not Acceptable: ask for application/activity+json", { status: 406, headers: { Vary: "Accept", "Content-Type": "text/plain; charset=utf-8" } }),
    });
    if (fallThrough) {
      await next();
      return;
    }
    if (c.req.path === "/.well-known/webfinger" && response.status === 200) return mastodonJrd(response, vocab.uris.base, deps.instance.localDomain);
    return response;
  };
  // The `url` of an actor or a post, asked for as ActivityPub (roles.ts only hands those here): the document's id.
  // Hono reads "/@:name" as a literal "@:name"; the handle is matched with a pattern instead.
  app.get("/:handle{@[^/]+}/:id?", (c) => {
    const username = (c.req.param("handle") ?? "").slice(1);
    const id = c.req.param("id");
    if (id !== undefined && !/^\d{1,20}$/.test(id)) return c.notFound();
    const target = id === undefined ? vocab.uris.actor(username) : vocab.uris.status(username, BigInt(id));
    return c.redirect(target.href, 301);
  });

  // Before Fedify: refused domains, oversized and malformed documents are answered without any key fetch.
  const guard = inboxGuard(deps);
  const fast = fastInbox(deps, loader);
  for (const path of ["/inbox", "/users/:username/inbox"]) app.use(path, guard, fast);
  for (const path of ["/users/*", "/emojis/*", "/inbox", "/.well-known/webfinger"]) app.use(path, fedify);
}
