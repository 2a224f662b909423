import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { notifyStatusFollowers } from "../../src/services/notifications/status-notifications.ts";
import { expectStatus, pageLinks, relative, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`notifications (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const list = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/notifications${query}`, { token: as.token }), 200);
      assertEntities("Notification", res.body);
      assertResponse("GET", "/api/v1/notifications", 200, res.body);
      return res;
    };
    const post = async (as: User, json: Record<string, unknown>) => expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body;
    const follow = (as: User, target: User, json: Record<string, unknown> = {}) =>
      t.request("POST", `/api/v1/accounts/${target.accountId}/follow`, { token: as.token, json });
    const unread = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/notifications/unread_count${query}`, { token: as.token }), 200);
      assertResponse("GET", "/api/v1/notifications/unread_count", 200, res.body);
      return res.body.count as number;
    };

    it("notifies follows and follow requests, and withdraws them when undone", async () => {
      const [star, fan, shy, asker] = await users(t, ["nf_star", "nf_fan", "nf_shy", "nf_asker"]);
      expectStatus(await follow(fan, star), 200);
      const [n] = (await list(star)).body;
      assert.equal(n.type, "follow");
      assert.equal(n.account.id, fan.accountId);
      assert.ok(!("status" in n));
      assert.match(n.group_key, /^follow-\d+$/);
      expectStatus(await follow(fan, star), 200);
      assert.equal((await list(star)).body.length, 1, "following again notifies nothing");

      const one = expectStatus(await t.request("GET", `/api/v1/notifications/${n.id}`, { token: star.token }), 200);
      assertEntity("Notification", one.body);
      assertResponse("GET", `/api/v1/notifications/${n.id}`, 200, one.body);
      assert.equal(one.body.id, n.id);
      expectStatus(await t.request("GET", `/api/v1/notifications/${n.id}`, { token: fan.token }), 404);

      expectStatus(await t.request("POST", `/api/v1/accounts/${star.accountId}/unfollow`, { token: fan.token }), 200);
      assert.deepEqual((await list(star)).body, [], "unfollowing withdraws the notification, as Mastodon destroys it with the follow");

      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: shy.token, json: { locked: true } });
      expectStatus(await follow(asker, shy), 200);
      const [req] = (await list(shy)).body;
      assert.equal(req.type, "follow_request");
      assert.equal(req.group_key, `ungrouped-${req.id}`);
      expectStatus(await t.request("POST", `/api/v1/follow_requests/${asker.accountId}/reject`, { token: shy.token }), 200);
      assert.deepEqual((await list(shy)).body, [], "a rejected request's notification goes");
      expectStatus(await follow(asker, shy), 200);
      assert.equal((await list(shy)).body[0].type, "follow_request");
      expectStatus(await t.request("POST", `/api/v1/follow_requests/${asker.accountId}/authorize`, { token: shy.token }), 200);
      assert.deepEqual((await list(shy)).body, [], "an accepted request's notification goes too (Mastodon destroys it with the request)");
    });

    it("notifies mentions with the status, not oneself, and forgets deleted statuses", async () => {
      const [alice, bob] = await users(t, ["nm_alice", "nm_bob"]);
      const s = await post(bob, { status: "hi @nm_alice and @nm_bob" });
      const [n] = (await list(alice)).body;
      assert.equal(n.type, "mention");
      assert.equal(n.status.id, s.id);
      assert.equal(n.status.account.id, bob.accountId);
      assert.equal(n.account.id, bob.accountId);
      assertEntity("Status", n.status);
      assert.deepEqual((await list(bob)).body, [], "no notification for mentioning oneself");

      expectStatus(await t.request("DELETE", `/api/v1/statuses/${s.id}`, { token: bob.token }), 200);
      assert.deepEqual((await list(alice)).body, []);
      const rows = await t.container.db.kysely.selectFrom("notifications").select("id").where("status_id", "=", BigInt(s.id)).execute();
      assert.equal(rows.length, 0, "deleting a status deletes its notifications");
    });

    it("skips senders the recipient blocks or mutes with notifications, and hides statuses no longer visible", async () => {
      const [me, blocked, muted, quiet, later] = await users(t, ["ns_me", "ns_blocked", "ns_muted", "ns_quiet", "ns_later"]);
      await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: me.token });
      await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: me.token, json: { notifications: true } });
      await t.request("POST", `/api/v1/accounts/${quiet.accountId}/mute`, { token: me.token, json: { notifications: false } });
      await post(blocked, { status: "@ns_me hello" });
      await post(muted, { status: "@ns_me hello" });
      await post(quiet, { status: "@ns_me hello" });
      const later1 = await post(later, { status: "@ns_me hello" });
      await post(later, { status: "@ns_me @ns_quiet together" });
      const shown = (await list(me)).body;
      assert.deepEqual(shown.map((n: any) => n.account.id).sort(), [quiet.accountId, later.accountId].sort(), "and no mention alongside someone muted");

      await t.request("POST", `/api/v1/accounts/${later.accountId}/block`, { token: me.token });
      const after = (await list(me)).body;
      assert.deepEqual(after.map((n: any) => n.account.id), [quiet.accountId], "a blocked author's status is no longer shown");
      expectStatus(await t.request("GET", `/api/v1/notifications/${shown.find((n: any) => n.status.id === later1.id).id}`, { token: me.token }), 404);
    });

    it("filters by type and sender and pages with Link headers", async () => {
      const [me, a, b] = await users(t, ["np_me", "np_a", "np_b"]);
      for (let i = 0; i < 3; i++) await post(a, { status: `@np_me ${i}` });
      await post(b, { status: "@np_me from b" });
      expectStatus(await follow(b, me), 200);

      const all = (await list(me)).body;
      assert.equal(all.length, 5);
      const ids = all.map((n: any) => BigInt(n.id));
      assert.deepEqual(ids, [...ids].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)), "newest first");
      assert.deepEqual((await list(me, "?types[]=follow")).body.map((n: any) => n.type), ["follow"]);
      assert.equal((await list(me, "?exclude_types[]=follow")).body.length, 4);
      assert.equal((await list(me, "?types[]=mention&exclude_types[]=mention")).body.length, 0);
      assert.equal((await list(me, `?account_id=${b.accountId}`)).body.length, 2);
      assert.equal((await list(me, "?types[]=admin.sign_up")).body.length, 0, "a type never recorded matches nothing");

      const first = await list(me, "?limit=2");
      assert.deepEqual(first.body.map((n: any) => n.id), all.slice(0, 2).map((n: any) => n.id));
      const links = pageLinks(first.headers.get("link"))!;
      assert.equal(links.next!.searchParams.get("max_id"), all[1].id);
      assert.equal(links.next!.searchParams.get("limit"), "2");
      const second = await list(me, relative(links.next!).replace("/api/v1/notifications", ""));
      assert.deepEqual(second.body.map((n: any) => n.id), all.slice(2, 4).map((n: any) => n.id));
      const newer = await list(me, `?min_id=${all[3].id}&limit=2`);
      assert.deepEqual(newer.body.map((n: any) => n.id), all.slice(1, 3).map((n: any) => n.id), "min_id pages forward from a point");
      assert.deepEqual((await list(me, `?since_id=${all[1].id}`)).body.map((n: any) => n.id), [all[0].id]);
    });

    it("dismisses one, clears all, and counts unread against the notifications marker", async () => {
      const [me, other, stranger] = await users(t, ["nd_me", "nd_other", "nd_stranger"]);
      await post(other, { status: "@nd_me one" });
      await post(other, { status: "@nd_me two" });
      await post(other, { status: "@nd_me three" });
      const all = (await list(me)).body;
      assert.equal(await unread(me), 3, "no marker: everything is unread");
      assert.equal(await unread(me, "?limit=2"), 2, "the count is capped by limit");
      expectStatus(await t.request("POST", "/api/v1/markers", { token: me.token, json: { notifications: { last_read_id: all[1].id } } }), 200);
      assert.equal(await unread(me), 1);
      assert.equal(await unread(me, "?types[]=follow"), 0);

      expectStatus(await t.request("POST", `/api/v1/notifications/${all[0].id}/dismiss`, { token: stranger.token }), 404);
      const dismissed = expectStatus(await t.request("POST", `/api/v1/notifications/${all[0].id}/dismiss`, { token: me.token }), 200);
      assertResponse("POST", `/api/v1/notifications/${all[0].id}/dismiss`, 200, dismissed.body);
      assert.deepEqual((await list(me)).body.map((n: any) => n.id), [all[1].id, all[2].id]);
      expectStatus(await t.request("POST", `/api/v1/notifications/${all[0].id}/dismiss`, { token: me.token }), 404);
      const cleared = expectStatus(await t.request("POST", "/api/v1/notifications/clear", { token: me.token }), 200);
      assert.deepEqual(cleared.body, {});
      assert.deepEqual((await list(me)).body, []);
    });

    it("notifies followers who asked for posts, but not of replies to others", async () => {
      const [author, bell, plain, other, german] = await users(t, ["nb_author", "nb_bell", "nb_plain", "nb_other", "nb_german"]);
      expectStatus(await follow(bell, author, { notify: true }), 200);
      expectStatus(await follow(plain, author), 200);
      expectStatus(await follow(german, author, { notify: true, languages: ["de"] }), 200);
      const s = await post(author, { status: "news", visibility: "private", language: "en" });
      await post(author, { status: "Neuigkeiten", language: "de" });
      await post(author, { status: "self thread", in_reply_to_id: s.id });
      const o = await post(other, { status: "elsewhere" });
      await post(author, { status: "a reply", in_reply_to_id: o.id });
      await post(author, { status: "secret @nb_other", visibility: "direct" });
      await t.drain();
      const got = (await list(bell, "?types[]=status")).body;
      assert.deepEqual(got.map((n: any) => n.status.content).sort(), ["<p>Neuigkeiten</p>", "<p>news</p>", "<p>self thread</p>"]);
      assert.equal(got[0].account.id, author.accountId);
      assert.deepEqual((await list(plain, "?types[]=status")).body, []);
      const de = (await list(german, "?types[]=status")).body.map((n: any) => n.status.content);
      assert.ok(de.includes("<p>Neuigkeiten</p>") && !de.includes("<p>news</p>"), "a follow limited to German hears of German posts only");
      await notifyStatusFollowers(t.container.jobDeps, BigInt(s.id));
      assert.equal((await list(bell, "?types[]=status")).body.length, 3, "a rerun of the job notifies nothing twice");
    });

    it("applies the recipient's filters for the notifications context", async () => {
      const [me, other] = await users(t, ["nf2_me", "nf2_other"]);
      const filter = async (title: string, keyword: string, action: string, context = ["notifications"]) =>
        expectStatus(
          await t.request("POST", "/api/v2/filters", { token: me.token, json: { title, context, filter_action: action, keywords_attributes: [{ keyword }] } }),
          200,
        ).body;
      await filter("hide it", "spoilers", "hide");
      const warn = await filter("warn me", "football", "warn");
      await filter("elsewhere", "weather", "hide", ["home"]);
      await post(other, { status: "@nf2_me spoilers ahead" });
      const warned = await post(other, { status: "@nf2_me football tonight" });
      await post(other, { status: "@nf2_me weather is fine" });
      const shown = (await list(me)).body;
      assert.deepEqual(shown.map((n: any) => n.status.content.replace(/<[^>]+>/g, "")).sort(), ["@nf2_me football tonight", "@nf2_me weather is fine"]);
      const n = shown.find((x: any) => x.status.id === warned.id);
      assert.equal(n.status.filtered.length, 1);
      assert.equal(n.status.filtered[0].filter.id, warn.id);
      assert.deepEqual(n.status.filtered[0].keyword_matches, ["football"]);
    });

    it("respects muted conversations, clears on block, and keeps one update per edited status", async () => {
      const [me, other, booster] = await users(t, ["nc_me", "nc_other", "nc_booster"]);
      const root = await post(me, { status: "my thread" });
      expectStatus(await t.request("POST", `/api/v1/statuses/${root.id}/mute`, { token: me.token }), 200);
      await post(other, { status: "@nc_me replying", in_reply_to_id: root.id });
      await post(other, { status: "@nc_me elsewhere" });
      assert.deepEqual((await list(me)).body.map((n: any) => n.status.content.replace(/<[^>]+>/g, "")), ["@nc_me elsewhere"], "a muted thread notifies nothing");

      expectStatus(await follow(other, me), 200);
      assert.equal((await list(me, "?types[]=follow")).body.length, 1);
      await t.request("POST", `/api/v1/accounts/${other.accountId}/block`, { token: me.token });
      assert.deepEqual((await list(me)).body, [], "nothing from a blocked account shows");

      const s = await post(other, { status: "will change" });
      expectStatus(await t.request("POST", `/api/v1/statuses/${s.id}/reblog`, { token: booster.token }), 200);
      for (const text of ["changed once", "changed twice"])
        expectStatus(await t.request("PUT", `/api/v1/statuses/${s.id}`, { token: other.token, json: { status: text } }), 200);
      const updates = (await list(booster, "?types[]=update")).body;
      assert.equal(updates.length, 1, "the newest edit replaces the previous update notification");
      assert.equal(updates[0].status.content, "<p>changed twice</p>");
    });

    it("requires the notifications scopes", async () => {
      const reader = await t.user("nscope_reader", { scopes: "read:statuses write:statuses" });
      expectStatus(await t.request("GET", "/api/v1/notifications", { token: reader.token }), 403);
      expectStatus(await t.request("POST", "/api/v1/notifications/clear", { token: reader.token }), 403);
      expectStatus(await t.request("GET", "/api/v1/notifications"), 401);
      const narrow = await t.user("nscope_narrow", { scopes: "read:notifications" });
      expectStatus(await t.request("GET", "/api/v1/notifications", { token: narrow.token }), 200);
      expectStatus(await t.request("POST", "/api/v1/notifications/clear", { token: narrow.token }), 403);
    });
  });
}
