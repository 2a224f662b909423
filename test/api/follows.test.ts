import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { counts, expectStatus, pageLinks, relative, suspend, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`follows, follow requests, followers lists, relationships (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const follow = (from: User, to: User, json?: unknown) => t.request("POST", `/api/v1/accounts/${to.accountId}/follow`, { token: from.token, json: json ?? {} });
    const post = (from: User, to: User, action: string) => t.request("POST", `/api/v1/accounts/${to.accountId}/${action}`, { token: from.token });

    it("follows, changes follow options, and unfollows, keeping counts right", async () => {
      const [alice, bob] = await users(t, ["alice", "bob"]);
      let res = expectStatus(await follow(alice, bob), 200);
      assertEntity("Relationship", res.body);
      assertResponse("POST", `/api/v1/accounts/${bob.accountId}/follow`, 200, res.body);
      assert.equal(res.body.id, bob.accountId);
      assert.equal(res.body.following, true);
      assert.equal(res.body.showing_reblogs, true);
      assert.equal(res.body.notifying, false);
      assert.equal(res.body.languages, null);
      assert.equal(res.body.requested, false);
      assert.deepEqual((await counts(t, alice.accountId)).shown, { followers: 0, following: 1 });
      assert.deepEqual((await counts(t, bob.accountId)).shown, { followers: 1, following: 0 });
      const bobSees = await t.request("GET", `/api/v1/accounts/relationships?id[]=${alice.accountId}`, { token: bob.token });
      assert.equal(bobSees.body[0].followed_by, true);

      res = expectStatus(await follow(alice, bob, { reblogs: false, notify: true, languages: ["en", "de"] }), 200);
      assert.equal(res.body.showing_reblogs, false);
      assert.equal(res.body.notifying, true);
      assert.deepEqual(res.body.languages, ["en", "de"]);
      res = expectStatus(await follow(alice, bob, { notify: false }), 200);
      assert.equal(res.body.showing_reblogs, false, "options not given are kept");
      assert.deepEqual(res.body.languages, ["en", "de"]);
      res = expectStatus(await t.request("POST", `/api/v1/accounts/${bob.accountId}/follow`, { token: alice.token, form: { "languages[]": "" } }), 200);
      assert.equal(res.body.languages, null, "an empty list means every language");
      assert.equal((await counts(t, bob.accountId)).shown.followers, 1, "following again does not count twice");
      expectStatus(await follow(alice, bob, { languages: ["english"] }), 422, /Languages/);

      res = expectStatus(await post(alice, bob, "unfollow"), 200);
      assertEntity("Relationship", res.body);
      assert.equal(res.body.following, false);
      assert.deepEqual((await counts(t, bob.accountId)).shown, { followers: 0, following: 0 });
      expectStatus(await post(alice, bob, "unfollow"), 200, undefined);
    });

    it("refuses following oneself or unknown accounts (404), and needs write:follows", async () => {
      const [carol] = await users(t, ["carol"]);
      expectStatus(await follow(carol, carol), 404, "Record not found");
      expectStatus(await t.request("POST", "/api/v1/accounts/424242/follow", { token: carol.token }), 404, "Record not found");
      expectStatus(await t.request("POST", "/api/v1/accounts/nope/unfollow", { token: carol.token }), 404, "Record not found");
      const dan = await t.user("dan", { scopes: "read" });
      expectStatus(await follow(dan, carol), 403, "This action is outside the authorized scopes");
      expectStatus(await t.request("POST", `/api/v1/accounts/${carol.accountId}/follow`), 401);
      const suspended = await t.user("suspended_one");
      await suspend(t, suspended.accountId);
      expectStatus(await follow(carol, suspended), 404, "Record not found");
    });

    it("turns a follow of a locked account into a request that can be authorized or rejected", async () => {
      const [lock, fan, other, third] = await users(t, ["lock", "fan", "other", "third"]);
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: lock.token, json: { locked: true } });
      let res = expectStatus(await follow(fan, lock, { reblogs: false }), 200);
      assert.equal(res.body.following, false);
      assert.equal(res.body.requested, true);
      assert.equal(res.body.showing_reblogs, false, "the request carries the options");
      await follow(other, lock);
      await follow(third, lock);
      const me = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: lock.token });
      assert.equal(me.body.source.follow_requests_count, 3);
      const lockSees = await t.request("GET", `/api/v1/accounts/relationships?id[]=${fan.accountId}`, { token: lock.token });
      assert.equal(lockSees.body[0].requested_by, true);

      const list = expectStatus(await t.request("GET", "/api/v1/follow_requests", { token: lock.token }), 200);
      assertEntities("Account", list.body);
      assertResponse("GET", "/api/v1/follow_requests", 200, list.body);
      assert.deepEqual(list.body.map((a: { id: string }) => a.id), [third.accountId, other.accountId, fan.accountId]);
      const page = await t.request("GET", "/api/v1/follow_requests?limit=2", { token: lock.token });
      assert.equal(page.body.length, 2);
      const next = await t.request("GET", relative(pageLinks(page.headers.get("link"))!.next!), { token: lock.token });
      assert.deepEqual(next.body.map((a: { id: string }) => a.id), [fan.accountId]);

      res = expectStatus(await t.request("POST", `/api/v1/follow_requests/${fan.accountId}/authorize`, { token: lock.token }), 200);
      assertEntity("Relationship", res.body);
      assert.equal(res.body.id, fan.accountId);
      assert.equal(res.body.followed_by, true);
      assert.equal(res.body.requested_by, false);
      const fanSees = await t.request("GET", `/api/v1/accounts/relationships?id[]=${lock.accountId}`, { token: fan.token });
      assert.equal(fanSees.body[0].following, true);
      assert.equal(fanSees.body[0].showing_reblogs, false);
      assert.deepEqual((await counts(t, lock.accountId)).shown.followers, 1);

      res = expectStatus(await t.request("POST", `/api/v1/follow_requests/${other.accountId}/reject`, { token: lock.token }), 200);
      assert.equal(res.body.followed_by, false);
      assert.equal(res.body.requested_by, false);
      expectStatus(await t.request("POST", `/api/v1/follow_requests/${other.accountId}/authorize`, { token: lock.token }), 404, "Record not found");
      expectStatus(await t.request("POST", "/api/v1/follow_requests/777/reject", { token: lock.token }), 404, "Record not found");

      // Unfollowing withdraws a pending request.
      res = expectStatus(await post(third, lock, "unfollow"), 200);
      assert.equal(res.body.requested, false);
      const after = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: lock.token });
      assert.equal(after.body.source.follow_requests_count, 0);
      const reader = await t.user("lock_reader", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/follow_requests", { token: reader.token }), 403);
      const readOnly = await t.user("lock_ro", { scopes: "read" });
      expectStatus(await t.request("POST", `/api/v1/follow_requests/${fan.accountId}/reject`, { token: readOnly.token }), 403);
    });

    it("removes a follower", async () => {
      const [star, follower] = await users(t, ["star", "follower"]);
      await follow(follower, star);
      const res = expectStatus(await post(star, follower, "remove_from_followers"), 200);
      assertEntity("Relationship", res.body);
      assert.equal(res.body.followed_by, false);
      assert.deepEqual((await counts(t, star.accountId)).shown.followers, 0);
      assert.deepEqual((await counts(t, follower.accountId)).shown.following, 0);
    });

    it("pages followers and following by follow id, with Link headers", async () => {
      const [hub] = await users(t, ["hub"]);
      const fans = await users(t, ["f1", "f2", "f3", "f4", "f5"]);
      for (const f of fans) await follow(f, hub);
      for (const f of fans.slice(0, 3)) await follow(hub, f);
      const followers = (q = "") => t.request("GET", `/api/v1/accounts/${hub.accountId}/followers${q}`);
      const all = expectStatus(await followers(), 200);
      assertEntities("Account", all.body);
      assertResponse("GET", `/api/v1/accounts/${hub.accountId}/followers`, 200, all.body);
      assert.deepEqual(all.body.map((a: { id: string }) => a.id), fans.map((f) => f.accountId).reverse());

      const first = await followers("?limit=2");
      assert.deepEqual(first.body.map((a: { id: string }) => a.id), [fans[4].accountId, fans[3].accountId]);
      const links = pageLinks(first.headers.get("link"))!;
      const maxId = links.next!.searchParams.get("max_id")!;
      assert.notEqual(maxId, fans[3].accountId, "Link ids are follow ids, not account ids");
      assert.equal(links.next!.searchParams.get("limit"), "2");
      const second = await t.request("GET", relative(links.next!));
      assert.deepEqual(second.body.map((a: { id: string }) => a.id), [fans[2].accountId, fans[1].accountId]);
      const third = await t.request("GET", relative(pageLinks(second.headers.get("link"))!.next!));
      assert.deepEqual(third.body.map((a: { id: string }) => a.id), [fans[0].accountId]);
      const back = await t.request("GET", relative(pageLinks(second.headers.get("link"))!.prev!));
      assert.deepEqual(back.body.map((a: { id: string }) => a.id), [fans[4].accountId, fans[3].accountId], "min_id pages forward");
      const sinceId = pageLinks(third.headers.get("link"))!.next!.searchParams.get("max_id")!;
      const since = await followers(`?since_id=${sinceId}&limit=2`);
      assert.deepEqual(since.body.map((a: { id: string }) => a.id), [fans[4].accountId, fans[3].accountId], "since_id keeps the newest");
      const beyond = await followers(`?max_id=${sinceId}`);
      assert.deepEqual(beyond.body, []);
      assert.equal(beyond.headers.get("link"), null);

      const following = expectStatus(await t.request("GET", `/api/v1/accounts/${hub.accountId}/following?limit=80`), 200);
      assertEntities("Account", following.body);
      assert.deepEqual(following.body.map((a: { id: string }) => a.id), fans.slice(0, 3).map((f) => f.accountId).reverse());
      expectStatus(await t.request("GET", "/api/v1/accounts/31337/following"), 404, "Record not found");

      // hide_collections: only the owner sees the lists.
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: hub.token, json: { hide_collections: true } });
      assert.deepEqual((await followers()).body, []);
      assert.deepEqual((await t.request("GET", `/api/v1/accounts/${hub.accountId}/following`, { token: fans[0].token })).body, []);
      assert.equal((await t.request("GET", `/api/v1/accounts/${hub.accountId}/followers`, { token: hub.token })).body.length, 5);
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: hub.token, json: { hide_collections: false } });

      // A blocked viewer sees none of the blocker's lists; a viewer does not see accounts they block or mute.
      await post(hub, fans[4], "block");
      assert.deepEqual((await t.request("GET", `/api/v1/accounts/${hub.accountId}/followers`, { token: fans[4].token })).body, []);
      await post(fans[0], fans[1], "mute");
      const filtered = await t.request("GET", `/api/v1/accounts/${hub.accountId}/followers`, { token: fans[0].token });
      assert.deepEqual(filtered.body.map((a: { id: string }) => a.id), [fans[3].accountId, fans[2].accountId, fans[0].accountId]);
    });

    it("answers relationships for many accounts at once, in the order asked", async () => {
      const [me] = await users(t, ["viewer"]);
      const others = await users(t, Array.from({ length: 40 }, (_, i) => `other${i}`));
      for (const o of others.slice(0, 10)) await follow(me, o);
      for (const o of others.slice(10, 15)) await follow(o, me);
      for (const o of others.slice(15, 20)) await post(me, o, "block");
      for (const o of others.slice(20, 25)) await post(me, o, "mute");
      await suspend(t, others[39].accountId);
      const query = others.map((o) => `id[]=${o.accountId}`).join("&") + "&id[]=999&id[]=bogus";
      const res = expectStatus(await t.request("GET", `/api/v1/accounts/relationships?${query}`, { token: me.token }), 200);
      assertEntities("Relationship", res.body);
      assertResponse("GET", "/api/v1/accounts/relationships", 200, res.body);
      assert.deepEqual(res.body.map((r: { id: string }) => r.id), others.slice(0, 39).map((o) => o.accountId), "unknown and suspended left out");
      assert.ok(res.body.slice(0, 10).every((r: { following: boolean }) => r.following));
      assert.ok(res.body.slice(10, 15).every((r: { followed_by: boolean }) => r.followed_by));
      assert.ok(res.body.slice(15, 20).every((r: { blocking: boolean }) => r.blocking));
      assert.ok(res.body.slice(20, 25).every((r: { muting: boolean; muting_notifications: boolean }) => r.muting && r.muting_notifications));
      assert.ok(res.body.slice(25).every((r: Record<string, unknown>) => !r.following && !r.followed_by && !r.blocking && !r.muting));
      const withSuspended = await t.request("GET", `/api/v1/accounts/relationships?${query}&with_suspended=true`, { token: me.token });
      assert.equal(withSuspended.body.length, 40);
      const blockedSide = await t.request("GET", `/api/v1/accounts/relationships?id[]=${me.accountId}`, { token: others[15].token });
      assert.equal(blockedSide.body[0].blocked_by, true);

      expectStatus(await t.request("GET", `/api/v1/accounts/relationships?id[]=${others[0].accountId}`), 401);
      const writeOnly = await t.user("rel_writer", { scopes: "write" });
      expectStatus(await t.request("GET", `/api/v1/accounts/relationships?id[]=${others[0].accountId}`, { token: writeOnly.token }), 403);
    });

    it("finds familiar followers: followers of an account that I follow", async () => {
      const [me, target, hidden, friend1, friend2, stranger] = await users(t, ["fam_me", "fam_target", "fam_hidden", "fam_f1", "fam_f2", "fam_stranger"]);
      for (const f of [friend1, friend2]) await follow(me, f);
      for (const f of [friend1, friend2, stranger]) {
        await follow(f, target);
        await follow(f, hidden);
      }
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: hidden.token, json: { hide_collections: true } });
      const res = expectStatus(
        await t.request("GET", `/api/v1/accounts/familiar_followers?id[]=${target.accountId}&id[]=${hidden.accountId}&id[]=4040`, { token: me.token }),
        200,
      );
      assertEntities("FamiliarFollowers", res.body);
      assertResponse("GET", "/api/v1/accounts/familiar_followers", 200, res.body);
      assert.deepEqual(res.body.map((r: { id: string }) => r.id), [target.accountId, hidden.accountId]);
      assert.deepEqual(new Set(res.body[0].accounts.map((a: { id: string }) => a.id)), new Set([friend1.accountId, friend2.accountId]));
      for (const a of res.body[0].accounts) assertEntity("Account", a);
      assert.deepEqual(res.body[1].accounts, [], "an account hiding its network shows no familiar followers");
      expectStatus(await t.request("GET", `/api/v1/accounts/familiar_followers?id[]=${target.accountId}`), 401);
    });

    it("keeps follower counts exact under 30 concurrent follows and unfollows", async () => {
      const [celebrity] = await users(t, ["celebrity"]);
      const crowd = await users(t, Array.from({ length: 30 }, (_, i) => `crowd${i}`));
      const statuses = await Promise.all(crowd.map((c) => follow(c, celebrity)));
      assert.ok(statuses.every((r) => r.status === 200));
      let c = await counts(t, celebrity.accountId);
      assert.deepEqual(c.shown, { followers: 30, following: 0 });
      assert.deepEqual(c.rows, c.shown);

      // The same pair raced: follows and unfollows interleaved, then the count must match the rows.
      const [racer] = await users(t, ["racer"]);
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? follow(racer, celebrity) : post(racer, celebrity, "unfollow"))));
      c = await counts(t, celebrity.accountId);
      assert.deepEqual(c.shown, c.rows);
      const r = await counts(t, racer.accountId);
      assert.deepEqual(r.shown, r.rows);

      // Unfollows and blocks (which end follows too) at once: only the racer may still follow.
      await Promise.all(crowd.map((m, i) => (i % 3 === 0 ? post(m, celebrity, "unfollow") : post(celebrity, m, "block"))));
      c = await counts(t, celebrity.accountId);
      assert.deepEqual(c.shown, c.rows);
      assert.equal(c.rows.followers, (await counts(t, racer.accountId)).rows.following);
      for (const m of crowd.slice(0, 6)) {
        const mc = await counts(t, m.accountId);
        assert.deepEqual(mc.shown, { followers: 0, following: 0 });
      }
    });
  });
}
