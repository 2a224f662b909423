import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { notify } from "../../src/services/notifications/notify.ts";
import { expectStatus, pageLinks, relative, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`grouped notifications (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const grouped = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v2/notifications${query}`, { token: as.token }), 200);
      assertEntity("GroupedNotificationsResults", res.body);
      assertResponse("GET", "/api/v2/notifications", 200, res.body);
      return res;
    };
    const post = async (as: User, json: Record<string, unknown>) => expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body;
    const follow = (as: User, target: User) => t.request("POST", `/api/v1/accounts/${target.accountId}/follow`, { token: as.token });
    const v1 = async (as: User) => (await t.request("GET", "/api/v1/notifications", { token: as.token })).body as any[];

    it("groups follows and favourites of one status, and leaves mentions single", async () => {
      const [me, f1, f2, f3] = await users(t, ["ng_me", "ng_f1", "ng_f2", "ng_f3"]);
      const mine = await post(me, { status: "like me" });
      for (const f of [f1, f2, f3]) expectStatus(await follow(f, me), 200);
      for (const f of [f1, f2]) expectStatus(await t.request("POST", `/api/v1/statuses/${mine.id}/favourite`, { token: f.token }), 200);
      await post(f3, { status: "@ng_me hey" });

      const res = await grouped(me);
      const groups = res.body.notification_groups;
      assert.deepEqual(groups.map((g: any) => g.type), ["mention", "favourite", "follow"]);
      const [mention, fav, fol] = groups;
      const single = (await v1(me)).find((n) => n.type === "mention");
      assert.equal(mention.group_key, `ungrouped-${single.id}`);
      assert.equal(mention.notifications_count, 1);
      assert.deepEqual(mention.sample_account_ids, [f3.accountId]);
      assert.equal(mention.page_min_id, single.id);
      assert.equal(mention.page_max_id, single.id);
      assert.match(res.text, new RegExp(`"most_recent_notification_id":${single.id}[,}]`), "the id is an exact JSON number");

      assert.match(fav.group_key, new RegExp(`^favourite-${mine.id}-\\d+$`));
      assert.equal(fav.notifications_count, 2);
      assert.deepEqual(fav.sample_account_ids, [f2.accountId, f1.accountId]);
      assert.equal(fav.status_id, mine.id);
      assert.match(fol.group_key, /^follow-\d+$/);
      assert.equal(fol.notifications_count, 3);
      assert.deepEqual(fol.sample_account_ids, [f3.accountId, f2.accountId, f1.accountId]);
      assert.ok(!("status_id" in fol));
      const follows = (await v1(me)).filter((n) => n.type === "follow");
      assert.equal(fol.page_max_id, follows[0].id);
      assert.equal(fol.page_min_id, follows[2].id);
      assert.equal(fol.latest_page_notification_at, follows[0].created_at);
      assert.ok(follows.every((n) => n.group_key === fol.group_key), "v1 shows the same group key");

      assert.deepEqual(res.body.accounts.map((a: any) => a.id).sort(), [f1, f2, f3].map((u) => u.accountId).sort());
      assertEntities("Account", res.body.accounts);
      assert.deepEqual(res.body.statuses.map((s: any) => s.id).sort(), [mine.id, single.status.id].sort());

      const ungrouped = await grouped(me, "?grouped_types[]=favourite");
      assert.equal(ungrouped.body.notification_groups.length, 5, "follows are single when not in grouped_types (favourites still one group)");
      assert.ok(ungrouped.body.notification_groups.filter((g: any) => g.type === "follow").every((g: any) => g.group_key.startsWith("ungrouped-")));

      const partial = await grouped(me, "?expand_accounts=partial_avatars");
      assert.deepEqual(partial.body.accounts.map((a: any) => a.id).sort(), [f3.accountId, f2.accountId].sort(), "each group's newest sender in full");
      assert.deepEqual(partial.body.partial_accounts.map((a: any) => a.id), [f1.accountId]);
      assert.deepEqual(Object.keys(partial.body.partial_accounts[0]).sort(), ["acct", "avatar", "avatar_static", "bot", "id", "locked", "url"]);

      const types = await grouped(me, "?types[]=follow&types[]=favourite&exclude_types[]=favourite");
      assert.deepEqual(types.body.notification_groups.map((g: any) => g.type), ["follow"]);
      assert.deepEqual((await grouped(me, `?account_id=${f3.accountId}`)).body.notification_groups.map((g: any) => g.type), ["mention", "follow"]);
    });

    it("keeps a group open for twelve hours from its first hour bucket, as Mastodon", async () => {
      const [me, a, b, c] = await users(t, ["ngt_me", "ngt_a", "ngt_b", "ngt_c"]);
      const mine = await post(me, { status: "timeless" });
      const hour = 3_600_000;
      const start = Math.floor(Date.now() / hour) * hour - 30 * hour;
      const fav = (from: User, at: number) =>
        t.container.db.transaction((tx) =>
          notify(tx, at, [{ type: "favourite", recipientId: BigInt(me.accountId), fromAccountId: BigInt(from.accountId), statusId: BigInt(mine.id) }]),
        );
      await fav(a, start);
      await fav(b, start + 11 * hour);
      await fav(c, start + 13 * hour);
      await fav(c, start + 14 * hour);
      const rows = await t.container.db.kysely.selectFrom("notifications").select(["group_key", "from_account_id"]).where("status_id", "=", BigInt(mine.id)).execute();
      const keyOf = (u: User) => rows.find((r) => String(r.from_account_id) === u.accountId)!.group_key;
      assert.equal(rows.length, 3, "the same favourite again is no new notification");
      assert.equal(keyOf(a), `favourite-${mine.id}-${start / hour}`);
      assert.equal(keyOf(b), keyOf(a), "eleven hours later: the same group");
      assert.equal(keyOf(c), `favourite-${mine.id}-${start / hour + 13}`, "thirteen hours later: a new group");
    });

    it("pages by groups with Link headers", async () => {
      const [me, a, b, c] = await users(t, ["ngp_me", "ngp_a", "ngp_b", "ngp_c"]);
      for (const f of [a, b]) expectStatus(await follow(f, me), 200);
      await post(c, { status: "@ngp_me one" });
      await post(c, { status: "@ngp_me two" });
      const first = await grouped(me, "?limit=2");
      assert.deepEqual(first.body.notification_groups.map((g: any) => g.type), ["mention", "mention"]);
      const links = pageLinks(first.headers.get("link"))!;
      const second = await grouped(me, relative(links.next!).replace("/api/v2/notifications", ""));
      assert.deepEqual(second.body.notification_groups.map((g: any) => g.type), ["follow"]);
      assert.equal(second.body.notification_groups[0].notifications_count, 2, "the last page counts the rest of the group");
      const prev = await grouped(me, `?min_id=${second.body.notification_groups[0].page_max_id}&limit=1`);
      assert.equal(prev.body.notification_groups.length, 1);
      assert.equal(prev.body.notification_groups[0].type, "mention");
    });

    it("shows, lists the accounts of, and dismisses one group; counts unread groups", async () => {
      const [me, a, b, c] = await users(t, ["ngs_me", "ngs_a", "ngs_b", "ngs_c"]);
      for (const f of [a, b, c]) expectStatus(await follow(f, me), 200);
      const key = (await grouped(me)).body.notification_groups[0].group_key;
      const one = expectStatus(await t.request("GET", `/api/v2/notifications/${key}`, { token: me.token }), 200);
      assertEntity("GroupedNotificationsResults", one.body);
      assertResponse("GET", `/api/v2/notifications/${key}`, 200, one.body);
      const [g] = one.body.notification_groups;
      assert.equal(g.notifications_count, 3);
      assert.ok(!("page_min_id" in g), "no page fields outside paging");
      expectStatus(await t.request("GET", "/api/v2/notifications/follow-1", { token: me.token }), 404);
      expectStatus(await t.request("GET", `/api/v2/notifications/${key}`, { token: a.token }), 404);

      const accounts = expectStatus(await t.request("GET", `/api/v2/notifications/${key}/accounts?limit=2`, { token: me.token }), 200);
      assertEntities("Account", accounts.body);
      assertResponse("GET", `/api/v2/notifications/${key}/accounts`, 200, accounts.body);
      assert.deepEqual(accounts.body.map((x: any) => x.id), [c.accountId, b.accountId]);
      const rest = await t.request("GET", relative(pageLinks(accounts.headers.get("link"))!.next!), { token: me.token });
      assert.deepEqual(rest.body.map((x: any) => x.id), [a.accountId]);

      const count = expectStatus(await t.request("GET", "/api/v2/notifications/unread_count", { token: me.token }), 200);
      assertResponse("GET", "/api/v2/notifications/unread_count", 200, count.body);
      assert.equal(count.body.count, 1, "three follows are one group");
      const flat = await t.request("GET", "/api/v2/notifications/unread_count?grouped_types[]=favourite", { token: me.token });
      assert.equal(flat.body.count, 3);
      assert.equal((await t.request("GET", "/api/v1/notifications/unread_count", { token: me.token })).body.count, 3);

      const dismissed = expectStatus(await t.request("POST", `/api/v2/notifications/${key}/dismiss`, { token: me.token }), 200);
      assert.deepEqual(dismissed.body, {});
      assert.deepEqual((await grouped(me)).body.notification_groups, []);
      assert.deepEqual(await v1(me), []);
    });
  });
}
