import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { counts, expectStatus, insertFollow, pageLinks, relative, remoteAccount, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };
const ids = (body: { id: string }[]) => body.map((a) => a.id);

for (const v of appVariants) {
  describe(`blocks, mutes, notes, endorsements, domain blocks (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = (from: User, to: User, action: string, json?: unknown) =>
      t.request("POST", `/api/v1/accounts/${to.accountId}/${action}`, { token: from.token, json: json ?? {} });
    const relationship = async (from: User, to: User) =>
      (await t.request("GET", `/api/v1/accounts/relationships?id[]=${to.accountId}`, { token: from.token })).body[0];

    it("blocks: ends follows and requests both ways, and stops following either way", async () => {
      const [alice, bob, locked] = await users(t, ["alice", "bob", "locked"]);
      await post(alice, bob, "follow");
      await post(bob, alice, "follow");
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: locked.token, json: { locked: true } });
      await post(alice, locked, "follow");
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: alice.token, json: { locked: true } });
      await post(locked, alice, "follow");
      assert.equal((await relationship(alice, locked)).requested, true);
      assert.equal((await relationship(alice, locked)).requested_by, true);

      const res = expectStatus(await post(alice, bob, "block"), 200);
      assertEntity("Relationship", res.body);
      assertResponse("POST", `/api/v1/accounts/${bob.accountId}/block`, 200, res.body);
      assert.equal(res.body.blocking, true);
      assert.equal(res.body.following, false);
      assert.equal(res.body.followed_by, false);
      assert.deepEqual((await counts(t, alice.accountId)).shown, { followers: 0, following: 0 });
      assert.deepEqual((await counts(t, bob.accountId)).shown, { followers: 0, following: 0 });
      assert.equal((await relationship(bob, alice)).blocked_by, true);

      const blocked = expectStatus(await post(alice, locked, "block"), 200);
      assert.equal(blocked.body.requested, false);
      assert.equal(blocked.body.requested_by, false);
      const me = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: alice.token });
      assert.equal(me.body.source.follow_requests_count, 0);

      expectStatus(await post(alice, bob, "follow"), 403, "This action is not allowed");
      expectStatus(await post(bob, alice, "follow"), 403, "This action is not allowed");
      // A blocked viewer still sees the blocker's profile, as in Mastodon.
      expectStatus(await t.request("GET", `/api/v1/accounts/${alice.accountId}`, { token: bob.token }), 200);

      expectStatus(await post(alice, bob, "block"), 200, undefined);
      const self = expectStatus(await post(alice, alice, "block"), 200);
      assert.equal(self.body.blocking, false, "blocking oneself does nothing");

      const unblocked = expectStatus(await post(alice, bob, "unblock"), 200);
      assertEntity("Relationship", unblocked.body);
      assert.equal(unblocked.body.blocking, false);
      expectStatus(await post(bob, alice, "follow"), 200);

      const readOnly = await t.user("block_ro", { scopes: "read" });
      expectStatus(await post(readOnly, bob, "block"), 403);
      const followOnly = await t.user("block_follow", { scopes: "follow" });
      expectStatus(await post(followOnly, bob, "block"), 200, undefined);
    });

    it("lists blocks newest first, paged by block id with Link headers", async () => {
      const [blocker] = await users(t, ["blocker"]);
      const targets = await users(t, ["b1", "b2", "b3"]);
      for (const x of targets) await post(blocker, x, "block");
      const all = expectStatus(await t.request("GET", "/api/v1/blocks", { token: blocker.token }), 200);
      assertEntities("Account", all.body);
      assertResponse("GET", "/api/v1/blocks", 200, all.body);
      assert.deepEqual(ids(all.body), targets.map((x) => x.accountId).reverse());
      const first = await t.request("GET", "/api/v1/blocks?limit=2", { token: blocker.token });
      assert.deepEqual(ids(first.body), [targets[2].accountId, targets[1].accountId]);
      const links = pageLinks(first.headers.get("link"))!;
      const next = await t.request("GET", relative(links.next!), { token: blocker.token });
      assert.deepEqual(ids(next.body), [targets[0].accountId]);
      const prev = await t.request("GET", relative(pageLinks(next.headers.get("link"))!.prev!), { token: blocker.token });
      assert.deepEqual(ids(prev.body), [targets[2].accountId, targets[1].accountId]);
      const since = await t.request("GET", `/api/v1/blocks?since_id=${links.next!.searchParams.get("max_id")}`, { token: blocker.token });
      assert.deepEqual(ids(since.body), [targets[2].accountId]);
      const noScope = await t.user("blocks_ro", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/blocks", { token: noScope.token }), 403);
      expectStatus(await t.request("GET", "/api/v1/blocks"), 401);
    });

    it("mutes with notifications by default, changes options, and expires timed mutes", async () => {
      const [muter, noisy, brief, quiet] = await users(t, ["muter", "noisy", "brief", "quiet"]);
      let res = expectStatus(await post(muter, noisy, "mute"), 200);
      assertEntity("Relationship", res.body);
      assertResponse("POST", `/api/v1/accounts/${noisy.accountId}/mute`, 200, res.body);
      assert.equal(res.body.muting, true);
      assert.equal(res.body.muting_notifications, true);
      assert.equal(res.body.muting_expires_at, null);
      res = expectStatus(await post(muter, noisy, "mute", { notifications: false }), 200);
      assert.equal(res.body.muting_notifications, false);
      expectStatus(await post(muter, quiet, "mute", { notifications: "false" }), 200);

      res = expectStatus(await post(muter, brief, "mute", { duration: 1 }), 200);
      assert.equal(res.body.muting, true);
      const expires = Date.parse(res.body.muting_expires_at);
      assert.ok(expires > Date.now() && expires <= Date.now() + 1_500, res.body.muting_expires_at);
      const list = expectStatus(await t.request("GET", "/api/v1/mutes", { token: muter.token }), 200);
      assertResponse("GET", "/api/v1/mutes", 200, list.body);
      assertEntities("MutedAccount", list.body);
      assert.deepEqual(ids(list.body), [brief.accountId, quiet.accountId, noisy.accountId]);
      assert.equal(list.body[0].mute_expires_at, res.body.muting_expires_at);
      assert.equal(list.body[2].mute_expires_at, null);
      const page = await t.request("GET", "/api/v1/mutes?limit=1", { token: muter.token });
      const next = await t.request("GET", relative(pageLinks(page.headers.get("link"))!.next!), { token: muter.token });
      assert.deepEqual(ids(next.body), [quiet.accountId]);

      await new Promise((r) => setTimeout(r, 1_200));
      const expired = await relationship(muter, brief);
      assert.equal(expired.muting, false, "an expired mute no longer counts");
      assert.equal(expired.muting_expires_at, null);
      const after = await t.request("GET", "/api/v1/mutes", { token: muter.token });
      assert.deepEqual(ids(after.body), [quiet.accountId, noisy.accountId]);
      // Muting again after expiry starts a new mute.
      assert.equal((await post(muter, brief, "mute")).body.muting, true);

      res = expectStatus(await post(muter, noisy, "unmute"), 200);
      assert.equal(res.body.muting, false);
      expectStatus(await post(muter, noisy, "mute", { duration: "soon" }), 422, /Duration/);
      expectStatus(await post(muter, noisy, "mute", { duration: -5 }), 422, /Duration/);
      const self = expectStatus(await post(muter, muter, "mute"), 200);
      assert.equal(self.body.muting, false);
      const readOnly = await t.user("mute_ro", { scopes: "read" });
      expectStatus(await post(readOnly, noisy, "mute"), 403);
      expectStatus(await t.request("GET", "/api/v1/mutes", { token: (await t.user("mute_w", { scopes: "write" })).token }), 403);
    });

    it("keeps a private note per account, and clears it with a blank comment", async () => {
      const [writer, subject] = await users(t, ["writer", "subject"]);
      let res = expectStatus(await post(writer, subject, "note", { comment: "Met at the conference" }), 200);
      assertEntity("Relationship", res.body);
      assertResponse("POST", `/api/v1/accounts/${subject.accountId}/note`, 200, res.body);
      assert.equal(res.body.note, "Met at the conference");
      res = expectStatus(await post(writer, subject, "note", { comment: "Updated" }), 200);
      assert.equal(res.body.note, "Updated");
      assert.equal((await relationship(subject, writer)).note, "", "notes are private to their writer");
      res = expectStatus(await post(writer, subject, "note", { comment: "with\u0000nul" }), 200);
      assert.equal(res.body.note, "withnul");
      res = expectStatus(await post(writer, subject, "note", { comment: "" }), 200);
      assert.equal(res.body.note, "");
      expectStatus(await post(writer, subject, "note", { comment: "x".repeat(2001) }), 422, /Comment is too long/);
      expectStatus(await t.request("POST", "/api/v1/accounts/55/note", { token: writer.token, json: { comment: "x" } }), 404);
      const readOnly = await t.user("note_ro", { scopes: "read" });
      expectStatus(await post(readOnly, subject, "note", { comment: "x" }), 403);
    });

    it("endorses only followed accounts, lists endorsements, and drops them on unfollow", async () => {
      const [fan, idol, other, third] = await users(t, ["pin_fan", "pin_idol", "pin_other", "pin_third"]);
      expectStatus(await post(fan, idol, "endorse"), 422, "Validation failed: You must be already following the person you want to endorse");
      await post(fan, idol, "follow");
      await post(fan, other, "follow");
      await post(fan, third, "follow");
      let res = expectStatus(await post(fan, idol, "endorse"), 200);
      assertEntity("Relationship", res.body);
      assertResponse("POST", `/api/v1/accounts/${idol.accountId}/endorse`, 200, res.body);
      assert.equal(res.body.endorsed, true);
      expectStatus(await post(fan, idol, "endorse"), 200, undefined);
      res = expectStatus(await post(fan, other, "pin"), 200);
      assert.equal(res.body.endorsed, true, "pin is the older name");
      await post(fan, third, "endorse");

      const own = expectStatus(await t.request("GET", "/api/v1/endorsements", { token: fan.token }), 200);
      assertEntities("Account", own.body);
      assertResponse("GET", "/api/v1/endorsements", 200, own.body);
      assert.deepEqual(ids(own.body), [third.accountId, other.accountId, idol.accountId]);
      const page = await t.request("GET", "/api/v1/endorsements?limit=2", { token: fan.token });
      const next = await t.request("GET", relative(pageLinks(page.headers.get("link"))!.next!), { token: fan.token });
      assert.deepEqual(ids(next.body), [idol.accountId]);
      const publicList = expectStatus(await t.request("GET", `/api/v1/accounts/${fan.accountId}/endorsements`), 200);
      assertResponse("GET", `/api/v1/accounts/${fan.accountId}/endorsements`, 200, publicList.body);
      assert.deepEqual(ids(publicList.body), [third.accountId, other.accountId, idol.accountId]);

      res = expectStatus(await post(fan, other, "unpin"), 200);
      assert.equal(res.body.endorsed, false);
      res = expectStatus(await post(fan, third, "unendorse"), 200);
      assert.equal(res.body.endorsed, false);
      await post(fan, idol, "unfollow");
      assert.equal((await relationship(fan, idol)).endorsed, false, "unfollowing ends the endorsement");
      assert.deepEqual((await t.request("GET", "/api/v1/endorsements", { token: fan.token })).body, []);
      const readOnly = await t.user("pin_ro", { scopes: "read" });
      expectStatus(await post(readOnly, idol, "endorse"), 403);
      expectStatus(await t.request("GET", "/api/v1/endorsements", { token: (await t.user("pin_w", { scopes: "write" })).token }), 403);
    });

    it("blocks and unblocks domains for one account, normalized, paged by row id", async () => {
      const [me, local] = await users(t, ["dom_me", "dom_local"]);
      const block = (domain: unknown) => t.request("POST", "/api/v1/domain_blocks", { token: me.token, json: { domain } });
      let res = expectStatus(await block("Spam.Example"), 200);
      assertResponse("POST", "/api/v1/domain_blocks", 200, res.body);
      assert.deepEqual(res.body, {});
      expectStatus(await block("spam.example"), 200, undefined);
      expectStatus(await t.request("POST", "/api/v1/domain_blocks", { token: me.token, form: { domain: "bücher.example" } }), 200);
      expectStatus(await t.request("POST", "/api/v1/domain_blocks?domain=third.example", { token: me.token }), 200);
      expectStatus(await block(""), 422, "Validation failed: Domain can't be blank");
      expectStatus(await t.request("POST", "/api/v1/domain_blocks", { token: me.token, json: {} }), 422, "Validation failed: Domain can't be blank");
      expectStatus(await block("not a domain"), 422, "Validation failed: Domain is not a valid domain name");
      expectStatus(await block("a".repeat(64) + ".example"), 422, "Validation failed: Domain is not a valid domain name");

      const list = expectStatus(await t.request("GET", "/api/v1/domain_blocks", { token: me.token }), 200);
      assertResponse("GET", "/api/v1/domain_blocks", 200, list.body);
      assert.deepEqual(list.body, ["third.example", "xn--bcher-kva.example", "spam.example"]);
      const first = await t.request("GET", "/api/v1/domain_blocks?limit=2", { token: me.token });
      assert.deepEqual(first.body, ["third.example", "xn--bcher-kva.example"]);
      const next = await t.request("GET", relative(pageLinks(first.headers.get("link"))!.next!), { token: me.token });
      assert.deepEqual(next.body, ["spam.example"]);

      res = expectStatus(await t.request("DELETE", "/api/v1/domain_blocks", { token: me.token, json: { domain: "SPAM.example" } }), 200);
      assertResponse("DELETE", "/api/v1/domain_blocks", 200, res.body);
      expectStatus(await t.request("DELETE", "/api/v1/domain_blocks", { token: me.token, json: { domain: "never.example" } }), 200);
      expectStatus(await t.request("DELETE", "/api/v1/domain_blocks", { token: me.token, json: {} }), 422, "Validation failed: Domain can't be blank");
      assert.deepEqual((await t.request("GET", "/api/v1/domain_blocks", { token: me.token })).body, ["third.example", "xn--bcher-kva.example"]);
      assert.equal((await relationship(me, local)).domain_blocking, false, "local accounts have no domain to block");

      // Remote accounts of a blocked domain: followers there are removed, following them is refused.
      const [remoteFan, remoteStar] = [await remoteAccount(t, "fan", "evil.example"), await remoteAccount(t, "star", "evil.example")];
      await insertFollow(t, remoteFan, me.accountId);
      const remote = expectStatus(await t.request("GET", `/api/v1/accounts/${remoteFan}`), 200);
      assertEntity("Account", remote.body);
      assert.equal(remote.body.acct, "fan@evil.example");
      assert.equal(remote.body.roles, null);
      assert.equal((await counts(t, me.accountId)).shown.followers, 1);
      expectStatus(await t.request("POST", "/api/v1/domain_blocks", { token: me.token, json: { domain: "EVIL.example" } }), 200);
      assert.deepEqual((await counts(t, me.accountId)).rows, { followers: 0, following: 0 });
      assert.equal((await counts(t, me.accountId)).shown.followers, 0);
      assert.equal((await counts(t, remoteFan)).shown.following, 0);
      const rel = await t.request("GET", `/api/v1/accounts/relationships?id[]=${remoteStar}`, { token: me.token });
      assert.equal(rel.body[0].domain_blocking, true);
      expectStatus(await t.request("POST", `/api/v1/accounts/${remoteStar}/follow`, { token: me.token }), 403, "This action is not allowed");
      // Following a remote account waits for its server's Accept: a request.
      const requested = expectStatus(await t.request("POST", `/api/v1/accounts/${await remoteAccount(t, "nice", "good.example")}/follow`, { token: me.token }), 200);
      assert.equal(requested.body.requested, true);

      const readOnly = await t.user("dom_ro", { scopes: "read" });
      expectStatus(await t.request("POST", "/api/v1/domain_blocks", { token: readOnly.token, json: { domain: "x.example" } }), 403);
      const writeOnly = await t.user("dom_wo", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/domain_blocks", { token: writeOnly.token }), 403);
      expectStatus(await t.request("GET", "/api/v1/domain_blocks"), 401);
    });
  });
}
