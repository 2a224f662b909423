import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, suspend, unconfirmedAccount } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const v of appVariants) {
  describe(`reading accounts: show, several, lookup, search (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let alice: { accountId: string; token: string };
    let bob: { accountId: string; token: string };
    before(async () => {
      t = await startTestApp(v.name);
      alice = await t.user("alice");
      bob = await t.user("bob");
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: bob.token, json: { display_name: "Robert Builder" } });
    });
    after(() => t?.close());

    it("shows an account to anyone, as Mastodon's Account entity", async () => {
      const res = expectStatus(await t.request("GET", `/api/v1/accounts/${bob.accountId}`), 200);
      assertEntity("Account", res.body);
      assertResponse("GET", `/api/v1/accounts/${bob.accountId}`, 200, res.body);
      assert.equal(res.body.id, bob.accountId);
      assert.equal(res.body.display_name, "Robert Builder");
      assert.equal(res.body.source, undefined, "source is for the owner only");
      assert.equal(res.body.role, undefined);
      assert.deepEqual(res.body.roles, []);
      assert.equal(res.body.group, false);
      assert.equal(res.body.noindex, false);
      assert.equal(res.body.last_status_at, null);
      const withToken = expectStatus(await t.request("GET", `/api/v1/accounts/${bob.accountId}`, { token: alice.token }), 200);
      assert.deepEqual(withToken.body, res.body);
    });

    it("answers unknown, malformed and unconfirmed ids with 404 Record not found", async () => {
      for (const id of ["1", "abc", "99999999999999999999", "-5", "1.5"])
        expectStatus(await t.request("GET", `/api/v1/accounts/${id}`), 404, "Record not found");
      const hidden = await unconfirmedAccount(t, "not_yet");
      expectStatus(await t.request("GET", `/api/v1/accounts/${hidden}`), 404, "Record not found");
      expectStatus(await t.request("GET", `/api/v1/accounts/${hidden}/followers`), 404, "Record not found");
    });

    it("refuses users who have not confirmed their e-mail with Mastodon's 403, on reads of their own and on actions", async () => {
      await unconfirmedAccount(t, "newcomer");
      const token = await createAccessToken(t.container.jobDeps, "newcomer", "read write follow");
      assert.ok(token.ok);
      const bearer = token.value.token;
      const missing = "Your login is missing a confirmed e-mail address";
      expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: bearer }), 403, missing);
      expectStatus(await t.request("POST", `/api/v1/accounts/${bob.accountId}/follow`, { token: bearer }), 403, missing);
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: bearer, json: { display_name: "x" } }), 403, missing);
      expectStatus(await t.request("POST", "/api/v1/domain_blocks", { token: bearer, json: { domain: "x.example" } }), 403, missing);
    });

    it("declares Mastodon's scope on every route: 401 without a token, 403 without the scope", async () => {
      const target = bob.accountId;
      const routes: [method: string, path: string, scope: string][] = [
        ["GET", "/api/v1/accounts/verify_credentials", "read:accounts"],
        ["PATCH", "/api/v1/accounts/update_credentials", "write:accounts"],
        ["DELETE", "/api/v1/profile/avatar", "write:accounts"],
        ["DELETE", "/api/v1/profile/header", "write:accounts"],
        ["GET", "/api/v1/preferences", "read:accounts"],
        ["GET", "/api/v1/accounts/search?q=b", "read:accounts"],
        ["GET", `/api/v1/accounts/relationships?id[]=${target}`, "read:follows"],
        ["GET", `/api/v1/accounts/familiar_followers?id[]=${target}`, "read:follows"],
        ...["follow", "unfollow", "remove_from_followers"].map((a): [string, string, string] => ["POST", `/api/v1/accounts/${target}/${a}`, "write:follows"]),
        ...["block", "unblock"].map((a): [string, string, string] => ["POST", `/api/v1/accounts/${target}/${a}`, "write:blocks"]),
        ...["mute", "unmute"].map((a): [string, string, string] => ["POST", `/api/v1/accounts/${target}/${a}`, "write:mutes"]),
        ...["note", "pin", "unpin", "endorse", "unendorse"].map((a): [string, string, string] => ["POST", `/api/v1/accounts/${target}/${a}`, "write:accounts"]),
        ["GET", "/api/v1/follow_requests", "read:follows"],
        ["POST", `/api/v1/follow_requests/${target}/authorize`, "write:follows"],
        ["POST", `/api/v1/follow_requests/${target}/reject`, "write:follows"],
        ["GET", "/api/v1/blocks", "read:blocks"],
        ["GET", "/api/v1/mutes", "read:mutes"],
        ["GET", "/api/v1/endorsements", "read:accounts"],
        ["GET", "/api/v1/domain_blocks", "read:blocks"],
        ["POST", "/api/v1/domain_blocks", "write:blocks"],
        ["DELETE", "/api/v1/domain_blocks", "write:blocks"],
      ];
      // A token with every scope but the family the route needs.
      const readOnly = await t.user("scope_read", { scopes: "read" });
      const writeOnly = await t.user("scope_write", { scopes: "write" });
      const granted = await t.user("scope_granular", { scopes: [...new Set(routes.map((r) => r[2]))].join(" ") });
      for (const [method, path, scope] of routes) {
        const json = method === "GET" ? undefined : { domain: "scopes.example" };
        expectStatus(await t.request(method, path, { json }), 401, "The access token is invalid");
        const wrong = scope.startsWith("read") ? writeOnly : readOnly;
        expectStatus(await t.request(method, path, { token: wrong.token, json }), 403, "This action is outside the authorized scopes");
        const res = await t.request(method, path, { token: granted.token, json });
        assert.ok(res.status !== 401 && res.status !== 403, `${method} ${path} with ${scope}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    });

    it("checks the token's scope when one is given, and refuses invalid tokens", async () => {
      const writeOnly = await t.user("writer", { scopes: "write" });
      expectStatus(await t.request("GET", `/api/v1/accounts/${bob.accountId}`, { token: writeOnly.token }), 403);
      expectStatus(await t.request("GET", `/api/v1/accounts/${bob.accountId}`, { token: "bogus" }), 401, "The access token is invalid");
    });

    it("shows a suspended account without what its owner wrote", async () => {
      const mallory = await t.user("mallory");
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: mallory.token, json: { display_name: "Mal", note: "spam", locked: true } });
      await suspend(t, mallory.accountId);
      const res = expectStatus(await t.request("GET", `/api/v1/accounts/${mallory.accountId}`), 200);
      assertEntity("Account", res.body);
      assert.equal(res.body.suspended, true);
      assert.equal(res.body.display_name, "");
      assert.equal(res.body.note, "");
      assert.equal(res.body.locked, false);
      assert.deepEqual(res.body.fields, []);
      assert.equal(res.body.avatar, `${t.baseUrl}/avatars/original/missing.png`);
      const search = await t.request("GET", "/api/v1/accounts/search?q=mallory", { token: alice.token });
      assert.deepEqual(search.body, [], "suspended accounts are not found by search");
    });

    it("returns several accounts in the order asked, skipping unknown ones, at most 40", async () => {
      const res = expectStatus(await t.request("GET", `/api/v1/accounts?id[]=${bob.accountId}&id[]=12345&id[]=${alice.accountId}&id[]=junk`), 200);
      assertEntities("Account", res.body);
      assertResponse("GET", "/api/v1/accounts", 200, res.body);
      assert.deepEqual(res.body.map((a: { id: string }) => a.id), [bob.accountId, alice.accountId]);
      const many = Array.from({ length: 41 }, (_, i) => `id[]=${1000 + i}`).join("&");
      expectStatus(await t.request("GET", `/api/v1/accounts?${many}`), 422, /maximum is 40/);
      assert.deepEqual((await t.request("GET", "/api/v1/accounts")).body, []);
    });

    it("looks up local accounts by address", async () => {
      for (const acct of ["bob", "@bob", "BOB", "bob@herd.test", "@bob@HERD.test"]) {
        const res = expectStatus(await t.request("GET", `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`), 200);
        assertEntity("Account", res.body);
        assert.equal(res.body.id, bob.accountId, acct);
      }
      for (const acct of ["bob@elsewhere.example", "nobody", "", "a@b@c", "bob\u0000", "bo b"])
        expectStatus(await t.request("GET", `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`), 404, "Record not found");
      const writeOnly = await t.user("writer2", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/accounts/lookup?acct=bob", { token: writeOnly.token }), 403);
    });

    it("searches local accounts by username and display-name prefix, case-insensitively", async () => {
      const search = (q: string, token = alice.token) => t.request("GET", `/api/v1/accounts/search?q=${encodeURIComponent(q)}`, { token });
      const ids = (res: { body: { id: string }[] }) => res.body.map((a) => a.id);
      let res = expectStatus(await search("bo"), 200);
      assertEntities("Account", res.body);
      assertResponse("GET", "/api/v1/accounts/search", 200, res.body);
      assert.deepEqual(ids(res), [bob.accountId]);
      assert.deepEqual(ids(await search("ROB")), [bob.accountId], "display name, any case");
      assert.deepEqual(ids(await search("build")), [bob.accountId], "a later word of the display name");
      assert.deepEqual(ids(await search("@bob")), [bob.accountId]);
      assert.deepEqual(ids(await search("bob@herd.test")), [bob.accountId]);
      assert.deepEqual(ids(await search("bob@other.example")), []);
      assert.deepEqual(ids(await search("%")), [], "LIKE wildcards are literal");
      assert.deepEqual(ids(await search("_")), []);
      assert.deepEqual(ids(await search("")), []);
      assert.deepEqual(ids(await search("uilder")), [], "prefixes only");
      assert.deepEqual(ids(await search("bo\u0000")), [bob.accountId], "NUL characters are dropped, never sent to the database");

      for (const name of ["bobby", "bobcat", "bobsled"]) await t.user(name);
      res = await search("bob");
      assert.equal(res.body[0].id, bob.accountId, "an exact username match comes first");
      assert.equal(res.body.length, 4);
      const page1 = await t.request("GET", "/api/v1/accounts/search?q=bob&limit=2", { token: alice.token });
      const page2 = await t.request("GET", "/api/v1/accounts/search?q=bob&limit=2&offset=2", { token: alice.token });
      assert.equal(page1.body.length, 2);
      assert.equal(page2.body.length, 2);
      assert.deepEqual(new Set([...ids(page1), ...ids(page2)]).size, 4);

      await t.request("POST", `/api/v1/accounts/${bob.accountId}/follow`, { token: alice.token });
      assert.deepEqual(ids(await t.request("GET", "/api/v1/accounts/search?q=bob&following=true", { token: alice.token })), [bob.accountId]);

      expectStatus(await t.request("GET", "/api/v1/accounts/search?q=bob"), 401);
      const writeOnly = await t.user("writer3", { scopes: "write" });
      expectStatus(await search("bob", writeOnly.token), 403);
    });
  });
}
