import assert from "node:assert/strict";
import { createHash, createPrivateKey } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { preloadedContexts, verifyRequest, type DocumentLoader } from "@fedify/fedify";
import { GuardedHttpClient } from "../../src/adapters/http/guarded-http-client.ts";
import { MemoryCache } from "../../src/adapters/memory/memory-cache.ts";
import { rememberedSpec, signedGet, signedPost, type Signer } from "../../src/federation/signing.ts";
import { generateActorKeys } from "../../src/services/federation/keys.ts";

const ACTOR = "https://herd.test/users/alice";
const KEY_ID = `${ACTOR}#main-key`;

/** Serves the signer's actor (and its key) offline: the verifier never touches the network. */
function loaderFor(publicKeyPem: string): DocumentLoader {
  return async (url) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    if (url.split("#")[0] === ACTOR) {
      return {
        contextUrl: null,
        documentUrl: ACTOR,
        document: {
          "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
          id: ACTOR,
          type: "Person",
          inbox: `${ACTOR}/inbox`,
          publicKey: { id: KEY_ID, owner: ACTOR, publicKeyPem },
        },
      };
    }
    throw new Error(`unexpected fetch of ${url}`);
  };
}

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** The key id the signature verified with, or null. */
  readonly keyId: string | null;
  readonly spec: "rfc9421" | "cavage";
}

type Mode = "any" | "cavage-only" | "rfc9421-only";

describe("HTTP signatures on outgoing requests", () => {
  let server: Server;
  let base = "";
  let signer: Signer;
  let publicKeyPem = "";
  let otherPublicKeyPem = "";
  let servedKey = "";
  let mode: Mode = "any";
  let seen: Seen[] = [];
  const http = new GuardedHttpClient({ allowedPrivateAddresses: ["127.0.0.1/32"], userAgent: "Herd/test (+http://herd.test/)" });

  before(async () => {
    const keys = await generateActorKeys(1n, Date.now());
    const other = await generateActorKeys(2n, Date.now());
    publicKeyPem = keys.rsaPublicKey;
    otherPublicKeyPem = other.rsaPublicKey;
    const der = createPrivateKey(keys.rsaPrivateKey).export({ type: "pkcs8", format: "der" });
    signer = {
      keyId: new URL(KEY_ID),
      privateKey: await crypto.subtle.importKey("pkcs8", new Uint8Array(der), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]),
    };
    server = createServer((req, res) => void receive(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    http.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    mode = "any";
    seen = [];
    servedKey = publicKeyPem;
  });

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`${base}${req.url}`, { method: req.method, headers, ...(req.method === "POST" ? { body } : {}) });
    const spec = headers.has("signature-input") ? "rfc9421" : "cavage";
    const loader = loaderFor(servedKey);
    const key = await verifyRequest(request, { documentLoader: loader, contextLoader: loader });
    seen.push({ method: req.method!, path: req.url!, headers: req.headers, body, keyId: key?.id?.href ?? null, spec });
    if (!key || (mode === "cavage-only" && spec !== "cavage") || (mode === "rfc9421-only" && spec !== "rfc9421")) return void res.writeHead(401).end();
    if (req.url === "/fail") return void res.writeHead(503).end();
    if (req.url === "/old") return void res.writeHead(302, { location: "/new" }).end();
    res.writeHead(req.method === "POST" ? 202 : 200, { "content-type": "application/activity+json" }).end(req.method === "GET" ? '{"ok":true}' : "");
  }

  const activity = JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: `${ACTOR}#likes/1`, type: "Like", actor: ACTOR, object: "https://remote.example/notes/1" });

  it("signs a POST with draft-cavage and a Digest of the exact body when no spec memory is given", async () => {
    const { response, spec } = await signedPost(http, `${base}/inbox`, activity, signer);
    assert.equal(response.status, 202);
    assert.equal(spec, "draft-cavage-http-signatures-12");
    assert.equal(seen.length, 1);
    const s = seen[0];
    assert.equal(s.keyId, KEY_ID);
    assert.equal(s.spec, "cavage");
    assert.equal(s.body, activity);
    assert.equal(s.headers["content-type"], "application/activity+json");
    assert.equal(s.headers.digest, `SHA-256=${createHash("sha256").update(activity).digest("base64")}`);
    const covered = /headers="([^"]*)"/.exec(String(s.headers.signature))?.[1].split(" ") ?? [];
    for (const h of ["(request-target)", "host", "date", "digest", "content-type"]) assert.ok(covered.includes(h), `signature covers ${h}: ${covered}`);
    assert.match(String(s.headers["user-agent"]), /^Herd\//);
  });

  it("fails verification against another key (the receiver really checks)", async () => {
    servedKey = otherPublicKeyPem;
    const { response } = await signedPost(http, `${base}/inbox`, activity, signer);
    assert.equal(response.status, 401);
    assert.equal(seen[0].keyId, null);
  });

  it("with spec memory, knocks with draft-cavage first and remembers that the origin took it", async () => {
    const cache = new MemoryCache();
    try {
      const { response, spec } = await signedPost(http, `${base}/inbox`, activity, signer, { cache });
      assert.equal(response.status, 202);
      assert.equal(spec, "draft-cavage-http-signatures-12");
      assert.deepEqual(seen.map((s) => [s.spec, s.keyId]), [["cavage", KEY_ID]]);
      assert.equal(await rememberedSpec(cache, new URL(base).origin), "draft-cavage-http-signatures-12");
    } finally {
      await cache.close();
    }
  });

  it("falls back to RFC 9421 (with Content-Digest) on 401 and signs that way first from then on", async () => {
    mode = "rfc9421-only";
    const cache = new MemoryCache();
    try {
      const first = await signedPost(http, `${base}/inbox`, activity, signer, { cache });
      assert.equal(first.response.status, 202);
      assert.equal(first.spec, "rfc9421");
      assert.deepEqual(seen.map((s) => s.spec), ["cavage", "rfc9421"]);
      assert.equal(seen[1].keyId, KEY_ID);
      assert.equal(seen[1].headers["content-digest"], `sha-256=:${createHash("sha256").update(activity).digest("base64")}:`);
      assert.equal(await rememberedSpec(cache, new URL(base).origin), "rfc9421");
      seen = [];
      const second = await signedPost(http, `${base}/inbox`, activity, signer, { cache });
      assert.equal(second.response.status, 202);
      assert.deepEqual(seen.map((s) => s.spec), ["rfc9421"]);
    } finally {
      await cache.close();
    }
  });

  it("moves a remembered RFC 9421 origin back to draft-cavage when it starts refusing RFC 9421", async () => {
    const cache = new MemoryCache();
    try {
      await cache.set(`httpsig:spec:${new URL(base).origin}`, "rfc9421");
      mode = "cavage-only";
      const r = await signedPost(http, `${base}/inbox`, activity, signer, { cache });
      assert.equal(r.response.status, 202);
      assert.deepEqual(seen.map((s) => s.spec), ["rfc9421", "cavage"]);
      assert.equal(await rememberedSpec(cache, new URL(base).origin), "draft-cavage-http-signatures-12");
    } finally {
      await cache.close();
    }
  });

  it("does not double-knock on other failures, and remembers nothing from them", async () => {
    const cache = new MemoryCache();
    try {
      const r = await signedPost(http, `${base}/fail`, activity, signer, { cache });
      assert.equal(r.response.status, 503);
      assert.equal(seen.length, 1);
      assert.equal(await rememberedSpec(cache, new URL(base).origin), null);
    } finally {
      await cache.close();
    }
  });

  it("signedGet signs a GET (Accept: activity+json) that verifies, and signs each redirect hop anew", async () => {
    const res = await signedGet(http, `${base}/old`, signer);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    assert.deepEqual(seen.map((s) => [s.method, s.path, s.keyId]), [["GET", "/old", KEY_ID], ["GET", "/new", KEY_ID]]);
    assert.match(String(seen[1].headers.accept), /application\/activity\+json/);
    assert.equal(seen[1].headers.digest, undefined);
  });
});
