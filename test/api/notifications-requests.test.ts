import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, pageLinks, relative, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`notification policy and requests (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, json: Record<string, unknown>) => expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body;
    const v1 = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/notifications${query}`, { token: as.token }), 200);
      assertEntities("Notification", res.body);
      return res.body as any[];
    };
    const policy = async (as: User, json?: Record<string, string>) => {
      const res = json
        ? await t.request("PATCH", "/api/v2/notifications/policy", { token: as.token, json })
        : await t.request("GET", "/api/v2/notifications/policy", { token: as.token });
      expectStatus(res, 200);
      assertEntity("NotificationPolicy", res.body);
      assertResponse(json ? "PATCH" : "GET", "/api/v2/notifications/policy", 200, res.body);
      return res.body;
    };
    const requests = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/notifications/requests${query}`, { token: as.token }), 200);
      assertEntities("NotificationRequest", res.body);
      assertResponse("GET", "/api/v1/notifications/requests", 200, res.body);
      return res;
    };
    const merged = async (as: User) => {
      const res = expectStatus(await t.request("GET", "/api/v1/notifications/requests/merged", { token: as.token }), 200);
      assertResponse("GET", "/api/v1/notifications/requests/merged", 200, res.body);
      return res.body.merged;
    };

    it("has Mastodon's default policy and changes it rule by rule", async () => {
      const [me] = await users(t, ["pp_me"]);
      assert.deepEqual(await policy(me), {
        for_not_following: "accept",
        for_not_followers: "accept",
        for_new_accounts: "accept",
        for_private_mentions: "filter",
        for_limited_accounts: "filter",
        summary: { pending_requests_count: 0, pending_notifications_count: 0 },
      });
      const changed = await policy(me, { for_not_following: "filter", for_private_mentions: "accept" });
      assert.equal(changed.for_not_following, "filter");
      assert.equal(changed.for_private_mentions, "accept");
      assert.equal(changed.for_limited_accounts, "filter");
      assert.equal((await policy(me)).for_not_following, "filter");
      const form = expectStatus(await t.request("PATCH", "/api/v2/notifications/policy", { token: me.token, form: { for_new_accounts: "drop" } }), 200);
      assert.equal(form.body.for_new_accounts, "drop");
      assert.equal(form.body.for_not_following, "filter");
      expectStatus(await t.request("PATCH", "/api/v2/notifications/policy", { token: me.token, json: { for_not_followers: "maybe" } }), 422);
      const reader = await t.user("pp_reader", { scopes: "read:notifications" });
      expectStatus(await t.request("PATCH", "/api/v2/notifications/policy", { token: reader.token, json: { for_not_following: "drop" } }), 403);
    });

    it("filters private mentions from strangers into a request, unless they answer the recipient", async () => {
      const [me, stranger, friend, replier] = await users(t, ["pm_me", "pm_stranger", "pm_friend", "pm_replier"]);
      expectStatus(await t.request("POST", `/api/v1/accounts/${friend.accountId}/follow`, { token: me.token }), 200);
      const dm = await post(stranger, { status: "@pm_me psst", visibility: "direct" });
      await post(friend, { status: "@pm_me hi friend", visibility: "direct" });
      const mine = await post(me, { status: "@pm_replier are you there?", visibility: "direct" });
      await post(replier, { status: "@pm_me yes", visibility: "direct", in_reply_to_id: mine.id });
      await post(stranger, { status: "@pm_me in public" });

      const main = await v1(me);
      assert.deepEqual(main.map((n) => n.account.id).sort(), [friend.accountId, replier.accountId, stranger.accountId].sort());
      assert.ok(!main.some((n) => n.status.id === dm.id), "the stranger's private mention is filtered");
      assert.ok((await v1(me, `?account_id=${stranger.accountId}`)).some((n) => n.status.id === dm.id), "asking for the sender shows filtered ones, as Mastodon");
      assert.ok((await v1(me, "?include_filtered=true")).some((n) => n.status.id === dm.id));
      const v2 = expectStatus(await t.request("GET", "/api/v2/notifications?include_filtered=true", { token: me.token }), 200);
      assertEntity("GroupedNotificationsResults", v2.body);
      assert.equal(v2.body.notification_groups.length, 4);

      const res = await requests(me);
      assert.equal(res.body.length, 1);
      const [req] = res.body;
      assert.equal(req.account.id, stranger.accountId);
      assert.equal(req.notifications_count, "1");
      assert.equal(req.last_status.id, dm.id);
      const summary = (await policy(me)).summary;
      assert.deepEqual(summary, { pending_requests_count: 1, pending_notifications_count: 1 });

      const one = expectStatus(await t.request("GET", `/api/v1/notifications/requests/${req.id}`, { token: me.token }), 200);
      assertEntity("NotificationRequest", one.body);
      assertResponse("GET", `/api/v1/notifications/requests/${req.id}`, 200, one.body);
      expectStatus(await t.request("GET", `/api/v1/notifications/requests/${req.id}`, { token: stranger.token }), 404);

      const accepted = expectStatus(await t.request("POST", `/api/v1/notifications/requests/${req.id}/accept`, { token: me.token }), 200);
      assertResponse("POST", `/api/v1/notifications/requests/${req.id}/accept`, 200, accepted.body);
      assert.equal(await merged(me), true);
      assert.ok((await v1(me)).some((n) => n.status.id === dm.id), "accepting merges the filtered notifications");
      assert.deepEqual((await requests(me)).body, []);
      const again = await post(stranger, { status: "@pm_me psst again", visibility: "direct" });
      assert.ok((await v1(me)).some((n) => n.status.id === again.id), "an accepted sender is let through from then on");
      expectStatus(await t.request("POST", `/api/v1/notifications/requests/${req.id}/accept`, { token: me.token }), 404);
    });

    it("dismisses requests one by one and in bulk, deleting what they held", async () => {
      const [me, s1, s2, s3] = await users(t, ["pd_me", "pd_s1", "pd_s2", "pd_s3"]);
      for (const s of [s1, s2, s3]) await post(s, { status: "@pd_me secret", visibility: "direct" });
      await post(s1, { status: "@pd_me secret 2", visibility: "direct" });
      const all = (await requests(me)).body;
      assert.equal(all.length, 3);
      assert.deepEqual(all.map((r: any) => r.account.id), [s3, s2, s1].map((u) => u.accountId), "newest request first");
      assert.equal(all[2].notifications_count, "2");
      const page = await requests(me, "?limit=2");
      assert.equal(page.body.length, 2);
      const rest = await requests(me, relative(pageLinks(page.headers.get("link"))!.next!).replace("/api/v1/notifications/requests", ""));
      assert.deepEqual(rest.body.map((r: any) => r.id), [all[2].id]);

      expectStatus(await t.request("POST", `/api/v1/notifications/requests/${all[0].id}/dismiss`, { token: me.token }), 200);
      assert.deepEqual((await v1(me, `?account_id=${s3.accountId}`)), [], "dismissing deletes the filtered notifications");
      const bulk = expectStatus(await t.request("POST", "/api/v1/notifications/requests/dismiss", { token: me.token, form: { "id[]": [all[1].id, all[2].id] } }), 200);
      assertResponse("POST", "/api/v1/notifications/requests/dismiss", 200, bulk.body);
      assert.deepEqual((await requests(me)).body, []);
      assert.deepEqual((await policy(me)).summary, { pending_requests_count: 0, pending_notifications_count: 0 });

      await post(s2, { status: "@pd_me back", visibility: "direct" });
      const [back] = (await requests(me)).body;
      assert.equal(back.account.id, s2.accountId, "a dismissed sender is filtered again");
      expectStatus(await t.request("POST", "/api/v1/notifications/requests/accept", { token: me.token, json: { id: [back.id] } }), 200);
      assert.deepEqual((await v1(me)).map((n) => n.account.id), [s2.accountId]);
    });

    it("counts a request's mentions exactly, also when they arrive together, and drops it when none are left", async () => {
      const [me, stranger] = await users(t, ["pc_me", "pc_stranger"]);
      const posted = await Promise.all([1, 2, 3, 4, 5].map((i) => post(stranger, { status: `@pc_me dm ${i}`, visibility: "direct" })));
      const [req] = (await requests(me)).body;
      assert.equal(req.notifications_count, "5");
      for (const s of posted.slice(0, 4)) expectStatus(await t.request("DELETE", `/api/v1/statuses/${s.id}`, { token: stranger.token }), 200);
      assert.equal((await requests(me)).body[0].notifications_count, "1", "deleted statuses leave the request");
      const [left] = await v1(me, `?account_id=${stranger.accountId}`);
      expectStatus(await t.request("POST", `/api/v1/notifications/${left.id}/dismiss`, { token: me.token }), 200);
      assert.deepEqual((await requests(me)).body, [], "a request without notifications goes");
      assert.deepEqual((await policy(me)).summary, { pending_requests_count: 0, pending_notifications_count: 0 });

      await post(stranger, { status: "@pc_me one more", visibility: "direct" });
      assert.equal((await requests(me)).body.length, 1);
      await t.request("POST", `/api/v1/accounts/${stranger.accountId}/block`, { token: me.token });
      assert.deepEqual((await requests(me)).body, [], "a blocked sender's request is not shown");
      assert.deepEqual((await policy(me)).summary, { pending_requests_count: 0, pending_notifications_count: 0 });
    });

    it("applies the other rules: not following, new and limited accounts, drop", async () => {
      const [me, newcomer, limited, known] = await users(t, ["pr_me", "pr_new", "pr_limited", "pr_known"]);
      expectStatus(await t.request("POST", `/api/v1/accounts/${known.accountId}/follow`, { token: me.token }), 200);
      await t.container.db.kysely.updateTable("accounts").set({ silenced_at: Date.now() }).where("id", "=", BigInt(limited.accountId)).execute();
      await post(limited, { status: "@pr_me limited" });
      assert.deepEqual(await v1(me), [], "limited accounts are filtered by default");
      assert.deepEqual((await requests(me)).body.map((r: any) => r.account.id), [limited.accountId]);

      await policy(me, { for_not_following: "drop" });
      await post(newcomer, { status: "@pr_me hello" });
      expectStatus(await t.request("POST", `/api/v1/accounts/${me.accountId}/follow`, { token: newcomer.token }), 200);
      await post(known, { status: "@pr_me from a friend" });
      assert.deepEqual((await v1(me)).map((n) => n.account.id), [known.accountId], "drop keeps no trace");
      assert.equal((await v1(me, `?account_id=${newcomer.accountId}`)).length, 0);

      await policy(me, { for_not_following: "accept", for_new_accounts: "filter" });
      expectStatus(await t.request("POST", `/api/v1/accounts/${me.accountId}/unfollow`, { token: newcomer.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${me.accountId}/follow`, { token: newcomer.token }), 200);
      const filteredFollow = await v1(me, `?account_id=${newcomer.accountId}`);
      assert.deepEqual(filteredFollow.map((n) => n.type), ["follow"]);
      assert.ok(!(await v1(me)).some((n) => n.type === "follow"), "a new account's follow is filtered");
      assert.ok(!(await requests(me)).body.some((r: any) => r.account.id === newcomer.accountId), "requests gather mentions only");
    });
  });
}
