import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Ajv, type ValidateFunction } from "ajv";
import { expectStatus, suspend } from "../support/accounts.ts";
import type { TestResponse } from "../support/test-app.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

/** NodeInfo's JSON schemas (draft-04, copied from jhass/nodeinfo into test/fixtures), compiled for Ajv. */
function nodeInfoValidator(version: "2.0" | "2.1"): ValidateFunction {
  const schema = JSON.parse(readFileSync(new URL(`../fixtures/nodeinfo/${version}.schema.json`, import.meta.url), "utf8"));
  // Ajv speaks draft-07; these schemas use nothing that differs except the draft-04 `id` keyword.
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

/** Federation endpoints answer errors as Mastodon's do: a status, not the client API's JSON error. */
function expectCode(res: TestResponse, status: number): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
}

function assertValid(v: ValidateFunction, doc: unknown): void {
  assert.ok(v(doc), `invalid NodeInfo: ${JSON.stringify(v.errors)}\n${JSON.stringify(doc)}`);
}

for (const variant of appVariants) {
  describe(`discovery (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let alice: string;
    before(async () => {
      t = await startTestApp(variant.name);
      alice = uniqueName("alice");
      const a = await t.user(alice);
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: a.token, json: { status: "first post" } }), 200);
    });
    after(() => t?.close());

    it("answers WebFinger for acct: and actor-URL resources, with CORS", async () => {
      for (const resource of [`acct:${alice}@herd.test`, `${t.baseUrl}/users/${alice}`, `acct:${alice.toUpperCase()}@HERD.TEST`]) {
        const res = expectStatus(await t.request("GET", `/.well-known/webfinger?resource=${encodeURIComponent(resource)}`), 200);
        assert.match(res.headers.get("content-type") ?? "", /^application\/jrd\+json/);
        assert.equal(res.headers.get("access-control-allow-origin"), "*");
        const jrd = JSON.parse(res.text);
        assert.equal(jrd.subject, `acct:${alice}@herd.test`);
        assert.deepEqual(jrd.aliases, [`${t.baseUrl}/@${alice}`, `${t.baseUrl}/users/${alice}`]);
        const rels = new Map(jrd.links.map((l: { rel: string }) => [l.rel, l]));
        assert.deepEqual(rels.get("self"), { rel: "self", type: "application/activity+json", href: `${t.baseUrl}/users/${alice}` });
        assert.equal((rels.get("http://webfinger.net/rel/profile-page") as { href: string }).href, `${t.baseUrl}/@${alice}`);
        assert.equal((rels.get("http://ostatus.org/schema/1.0/subscribe") as { template: string }).template, `${t.baseUrl}/authorize_interaction?uri={uri}`);
      }
    });

    it("answers 400 without a resource or for a malformed one, 404 for unknown accounts or domains", async () => {
      expectCode(await t.request("GET", "/.well-known/webfinger"), 400);
      expectCode(await t.request("GET", "/.well-known/webfinger?resource=alice"), 400);
      expectCode(await t.request("GET", `/.well-known/webfinger?resource=acct:${uniqueName("nobody")}@herd.test`), 404);
      expectCode(await t.request("GET", `/.well-known/webfinger?resource=acct:${alice}@elsewhere.example`), 404);
    });

    it("answers 410 for a suspended account, as Mastodon does", async () => {
      const name = uniqueName("gone");
      const gone = await t.user(name);
      await suspend(t, gone.accountId);
      expectCode(await t.request("GET", `/.well-known/webfinger?resource=acct:${name}@herd.test`), 410);
    });

    it("finds the instance actor by its domain handle", async () => {
      const res = expectStatus(await t.request("GET", "/.well-known/webfinger?resource=acct:herd.test@herd.test"), 200);
      const jrd = JSON.parse(res.text);
      assert.equal(jrd.subject, "acct:herd.test@herd.test");
      assert.equal(jrd.links.find((l: { rel: string }) => l.rel === "self").href, `${t.baseUrl}/actor`);
    });

    it("serves host-meta as XRD and as JSON", async () => {
      const xrd = expectStatus(await t.request("GET", "/.well-known/host-meta"), 200);
      assert.match(xrd.headers.get("content-type") ?? "", /^application\/xrd\+xml/);
      assert.match(xrd.text, /<Link rel="lrdd" template="http:\/\/herd\.test\/\.well-known\/webfinger\?resource=\{uri\}"\/>/);
      for (const path of ["/.well-known/host-meta?format=json", "/.well-known/host-meta.json"]) {
        const json = expectStatus(await t.request("GET", path), 200);
        assert.deepEqual(json.body, { links: [{ rel: "lrdd", template: `${t.baseUrl}/.well-known/webfinger?resource={uri}` }] });
      }
    });

    it("serves NodeInfo 2.0 and 2.1 that validate against their schemas, with real usage", async () => {
      const index = expectStatus(await t.request("GET", "/.well-known/nodeinfo"), 200).body;
      assert.deepEqual(index.links.map((l: { rel: string }) => l.rel), [
        "http://nodeinfo.diaspora.software/ns/schema/2.0",
        "http://nodeinfo.diaspora.software/ns/schema/2.1",
      ]);
      for (const version of ["2.0", "2.1"] as const) {
        const link = index.links.find((l: { rel: string }) => l.rel.endsWith(version));
        const res = expectStatus(await t.request("GET", new URL(link.href).pathname), 200);
        assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
        const doc = JSON.parse(res.text);
        assertValid(nodeInfoValidator(version), doc);
        assert.equal(doc.version, version);
        assert.equal(doc.software.name, "herd");
        assert.deepEqual(doc.protocols, ["activitypub"]);
        assert.equal(doc.openRegistrations, true);
        assert.equal(doc.metadata.nodeName, "herd.test");
        // Users created by this suite so far, all active (they posted or were just created) and the one post.
        assert.ok(doc.usage.users.total >= 1);
        assert.equal(doc.usage.localPosts >= 1, true);
        assert.ok(doc.usage.users.activeMonth <= doc.usage.users.total);
        assert.ok(doc.usage.users.activeHalfyear >= doc.usage.users.activeMonth);
      }
    });
  });

  describe(`discovery with LOCAL_DOMAIN ≠ WEB_DOMAIN (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(variant.name, { LOCAL_DOMAIN: "example.test", WEB_DOMAIN: "social.example.test", REGISTRATIONS_MODE: "none" });
    });
    after(() => t?.close());

    it("uses the handle domain in the subject and the web domain in links", async () => {
      const name = uniqueName("bob");
      await t.user(name);
      const res = expectStatus(await t.request("GET", `/.well-known/webfinger?resource=acct:${name}@example.test`), 200);
      const jrd = JSON.parse(res.text);
      assert.equal(jrd.subject, `acct:${name}@example.test`);
      assert.equal(jrd.links.find((l: { rel: string }) => l.rel === "self").href, `http://social.example.test/users/${name}`);
      const hostMeta = expectStatus(await t.request("GET", "/.well-known/host-meta"), 200);
      assert.match(hostMeta.text, /template="http:\/\/social\.example\.test\/\.well-known\/webfinger\?resource=\{uri\}"/);
      const nodeinfo = expectStatus(await t.request("GET", "/nodeinfo/2.1"), 200);
      assert.equal(JSON.parse(nodeinfo.text).openRegistrations, false);
    });
  });
}
