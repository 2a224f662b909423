import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { blockDomain, obfuscateDomain, unblockDomain, type DomainModerationDeps } from "../../src/services/federation/domain-moderation.ts";
import { writeSetting } from "../../src/services/instance/settings.ts";
import { expectStatus, remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { assertEntities, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

for (const v of appVariants) {
  describe(`GET /api/v1/instance/domain_blocks and peers (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let deps: DomainModerationDeps;
    let token: string;
    before(async () => {
      t = await startTestApp(v.name);
      deps = { db: t.container.db, cache: t.container.cache, clock: t.container.clock, instance: t.container.jobDeps.instance };
      token = (await t.user("reader")).token;
    });
    after(() => t?.close());

    const setting = async (key: string, value: string | null) => {
      const r = await writeSetting({ db: t.container.db, cache: t.container.cache, clock: t.container.clock }, key, value);
      assert.ok(r.ok, JSON.stringify(r));
    };

    it("shows the list to no one by default, as Mastodon; to signed-in users with show_domain_blocks users", async () => {
      const n = uniqueName("d");
      const bad = `bad-${n}.example`;
      const quiet = `quiet-${n}.example`;
      const hidden = `dajiaoshou-${n}.com`;
      const noop = `noop-${n}.example`;
      for (const input of [
        { domain: bad, severity: "suspend" as const, publicComment: "Spam and harassment", privateComment: "see ticket 12" },
        { domain: quiet, severity: "silence" as const },
        { domain: hidden, severity: "suspend" as const, obfuscate: true },
        { domain: noop, severity: "noop" as const, rejectMedia: true },
      ])
        assert.ok((await blockDomain(deps, input)).ok);

      expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks"), 404);
      expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token }), 404);
      await setting("show_domain_blocks", "users");
      await setting("show_domain_blocks_rationale", "users");
      expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks"), 401, "This API requires an authenticated user");
      const res = expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token }), 200);
      assertEntities("DomainBlock", res.body);
      assertResponse("GET", "/api/v1/instance/domain_blocks", 200, res.body);
      assert.equal(res.headers.get("cache-control"), "private, no-store");
      const mine = res.body.filter((b: { digest: string }) => [bad, quiet, hidden, noop].map(sha256).includes(b.digest));
      assert.deepEqual(mine, [
        { domain: quiet, digest: sha256(quiet), severity: "silence" },
        { domain: bad, digest: sha256(bad), severity: "suspend", comment: "Spam and harassment" },
        { domain: obfuscateDomain(hidden), digest: sha256(hidden), severity: "suspend" },
      ]);
      const shownHidden = obfuscateDomain(hidden);
      assert.equal(shownHidden.length, hidden.length);
      assert.ok(shownHidden.startsWith("dajiaos") && shownHidden.endsWith(".com") && /\*{6,}/.test(shownHidden), shownHidden);
      assert.ok(!JSON.stringify(res.body).includes("ticket"), "private comments stay private");

      // An app token without a user is not a signed-in user.
      const app = await t.request("POST", "/api/v1/apps", { json: { client_name: "x", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" } });
      const cc = await t.request("POST", "/oauth/token", { form: { grant_type: "client_credentials", client_id: app.body.client_id, client_secret: app.body.client_secret, scope: "read" } });
      assert.ok(cc.body.access_token, cc.text);
      expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token: cc.body.access_token }), 401);
      expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token: "not-a-token" }), 401);
      await setting("show_domain_blocks", null);
      await setting("show_domain_blocks_rationale", null);
    });

    it("follows show_domain_blocks and show_domain_blocks_rationale", async () => {
      const d = `shown-${uniqueName("d")}.example`;
      assert.ok((await blockDomain(deps, { domain: d, severity: "suspend", publicComment: "why" })).ok);
      const find = (body: { digest: string; comment?: string }[]) => body.find((b) => b.digest === sha256(d));

      await setting("show_domain_blocks", "all");
      await setting("show_domain_blocks_rationale", "users");
      const anonymous = expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks"), 200);
      assertEntities("DomainBlock", anonymous.body);
      assert.deepEqual(find(anonymous.body), { domain: d, digest: sha256(d), severity: "suspend" }, "the rationale is for users only");
      assert.equal(anonymous.headers.get("cache-control"), "private, no-store");
      const signed = expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token }), 200);
      assert.equal(find(signed.body)?.comment, "why");

      await setting("show_domain_blocks_rationale", "all");
      const everyone = expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks"), 200);
      assert.equal(find(everyone.body)?.comment, "why");
      assert.equal(everyone.headers.get("cache-control"), "public, max-age=60");

      await setting("show_domain_blocks_rationale", "disabled");
      assert.equal(find(expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token }), 200).body)?.comment, undefined);

      await setting("show_domain_blocks", "disabled");
      assert.equal((await t.request("GET", "/api/v1/instance/domain_blocks", { token })).status, 404);
      assert.equal((await t.request("GET", "/api/v1/instance/domain_blocks")).status, 404);

      const wrong = await writeSetting({ db: t.container.db, cache: t.container.cache, clock: t.container.clock }, "show_domain_blocks", "friends");
      assert.deepEqual(wrong, { ok: false, error: { kind: "invalid", expected: "disabled, users or all" } });
      await setting("show_domain_blocks", null);
      await setting("show_domain_blocks_rationale", null);
      expectStatus(await t.request("GET", "/api/v1/instance/domain_blocks", { token }), 404);
    });

    it("leaves suspended domains and their subdomains out of the peers, until unblocked", async () => {
      const n = uniqueName("p");
      const gone = `gone-${n}.example`;
      const kept = `kept-${n}.example`;
      await remoteAccount(t, "a", gone);
      await remoteAccount(t, "b", `sub.${gone}`);
      await remoteAccount(t, "c", `${gone}:8443`);
      await remoteAccount(t, "d", kept);
      await remoteAccount(t, "e", `quiet-${n}.example`);
      assert.ok((await blockDomain(deps, { domain: gone, severity: "suspend" })).ok);
      assert.ok((await blockDomain(deps, { domain: `quiet-${n}.example`, severity: "silence" })).ok);
      const peers = expectStatus(await t.request("GET", "/api/v1/instance/peers"), 200);
      assertResponse("GET", "/api/v1/instance/peers", 200, peers.body);
      assert.deepEqual(peers.body.filter((p: string) => p.includes(n)), [kept, `quiet-${n}.example`]);
      assert.ok((await unblockDomain(deps, gone)).ok);
      const back = expectStatus(await t.request("GET", "/api/v1/instance/peers"), 200);
      assert.deepEqual(back.body.filter((p: string) => p.includes(n)).sort(), [gone, `${gone}:8443`, kept, `quiet-${n}.example`, `sub.${gone}`].sort());
    });
  });
}
