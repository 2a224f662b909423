import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, insertFollow, pageLinks, relative, suspend, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`status interactions (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let n = 0;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    /** Users with names unique in this app. */
    const people = (names: string[]) => users(t, names.map((x) => `${x}_${++n}`));
    const post = async (as: User, json: Record<string, unknown>) => expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body;
    /** POST /api/v1/statuses/:id/<action>, checking the Status it answers. */
    const act = async (as: User | undefined, id: string, action: string, json?: Record<string, unknown>) => {
      const res = await t.request("POST", `/api/v1/statuses/${id}/${action}`, { token: as?.token, json });
      if (res.status === 200) {
        assertEntity("Status", res.body);
        assertResponse("POST", `/api/v1/statuses/${id}/${action}`, 200, res.body);
      }
      return res;
    };
    const show = async (id: string, as?: User) => {
      const res = await t.request("GET", `/api/v1/statuses/${id}`, { token: as?.token });
      if (res.status === 200) assertEntity("Status", res.body);
      return res;
    };
    const getList = async (path: string, as: User | undefined, entity: string) => {
      const res = expectStatus(await t.request("GET", path, { token: as?.token }), 200);
      assertEntities(entity, res.body);
      assertResponse("GET", path, 200, res.body);
      return res;
    };
    const account = async (id: string) => (await t.request("GET", `/api/v1/accounts/${id}`)).body;

    it("favourites and unfavourites, with the count, the viewer field and the lists", async () => {
      const [author, fan, other] = await people(["fav_author", "fav_fan", "fav_other"]);
      const s = await post(author, { status: "like me" });
      const faved = expectStatus(await act(fan, s.id, "favourite"), 200).body;
      assert.equal(faved.favourited, true);
      assert.equal(faved.favourites_count, 1);
      expectStatus(await act(fan, s.id, "favourite"), 200);
      assert.equal((await show(s.id)).body.favourites_count, 1, "favouriting twice counts once");
      assert.equal((await show(s.id, other)).body.favourited, false);
      assert.equal((await show(s.id, fan)).body.favourited, true);
      assert.ok(!("favourited" in (await show(s.id)).body), "anonymous viewers get no viewer fields");

      const by = await getList(`/api/v1/statuses/${s.id}/favourited_by`, undefined, "Account");
      assert.deepEqual(by.body.map((a: { id: string }) => a.id), [fan.accountId]);
      const mine = await getList("/api/v1/favourites", fan, "Status");
      assert.deepEqual(mine.body.map((x: { id: string }) => x.id), [s.id]);
      assert.equal(mine.body[0].favourited, true);

      const un = expectStatus(await act(fan, s.id, "unfavourite"), 200).body;
      assert.equal(un.favourited, false);
      assert.equal(un.favourites_count, 0);
      expectStatus(await act(fan, s.id, "unfavourite"), 200);
      assert.equal((await show(s.id)).body.favourites_count, 0, "never below zero");
      assert.deepEqual((await getList("/api/v1/favourites", fan, "Status")).body, []);
      expectStatus(await act(fan, "999999", "favourite"), 404, "Record not found");
      expectStatus(await act(undefined, s.id, "favourite"), 401);
    });

    it("counts twenty concurrent favourites exactly", async () => {
      const [author] = await people(["crowd_author"]);
      const fans = await people(Array.from({ length: 20 }, (_, i) => `crowd${i}`));
      const s = await post(author, { status: "popular" });
      const results = await Promise.all(fans.map((f) => act(f, s.id, "favourite")));
      for (const r of results) expectStatus(r, 200);
      assert.equal((await show(s.id)).body.favourites_count, 20);
      const rows = await t.container.db.kysely.selectFrom("favourites").select("id").where("status_id", "=", BigInt(s.id)).execute();
      assert.equal(rows.length, 20);
      await Promise.all(fans.slice(0, 7).map((f) => act(f, s.id, "unfavourite")));
      assert.equal((await show(s.id)).body.favourites_count, 13);
    });

    it("pages favourites by the favourite's id, with Link headers", async () => {
      const [author, fan] = await people(["page_author", "page_fan"]);
      const a = await post(author, { status: "a" });
      const b = await post(author, { status: "b" });
      const c = await post(author, { status: "c" });
      // Favourited in the order c, a, b: the list follows the favourites, not the statuses.
      for (const s of [c, a, b]) expectStatus(await act(fan, s.id, "favourite"), 200);
      const first = await getList("/api/v1/favourites?limit=2", fan, "Status");
      assert.deepEqual(first.body.map((x: { id: string }) => x.id), [b.id, a.id]);
      const links = pageLinks(first.headers.get("link"))!;
      const second = await getList(relative(links.next!), fan, "Status");
      assert.deepEqual(second.body.map((x: { id: string }) => x.id), [c.id]);
      const back = await getList(relative(pageLinks(second.headers.get("link"))!.prev!), fan, "Status");
      assert.deepEqual(back.body.map((x: { id: string }) => x.id), [b.id, a.id]);
      expectStatus(await t.request("GET", "/api/v1/favourites"), 401);
      const [readOnly] = [await t.user(`fav_reader_${++n}`, { scopes: "read:statuses" })];
      expectStatus(await t.request("GET", "/api/v1/favourites", { token: readOnly.token }), 403);
    });

    it("boosts with Mastodon's rules and renders the boost with the status nested", async () => {
      const [author, booster, follower, stranger] = await people(["b_author", "booster", "b_follower", "b_stranger"]);
      await insertFollow(t, follower.accountId, booster.accountId);
      await insertFollow(t, follower.accountId, author.accountId);
      const s = await post(author, { status: "boost me" });
      const boost = expectStatus(await act(booster, s.id, "reblog"), 200).body;
      assert.notEqual(boost.id, s.id);
      assert.equal(boost.account.id, booster.accountId);
      assert.equal(boost.content, "");
      assert.equal(boost.reblog.id, s.id);
      assert.equal(boost.reblog.account.id, author.accountId);
      assert.equal(boost.reblog.reblogged, true);
      assert.equal(boost.reblog.reblogs_count, 1);
      assert.equal(boost.uri, `${t.baseUrl}/users/${boost.account.username}/statuses/${boost.id}/activity`);
      const again = expectStatus(await act(booster, s.id, "reblog"), 200).body;
      assert.equal(again.id, boost.id, "boosting twice answers the existing boost");
      assert.equal((await show(s.id)).body.reblogs_count, 1);
      assert.equal((await account(booster.accountId)).statuses_count, 1);

      const shown = expectStatus(await show(boost.id, stranger), 200).body;
      assert.equal(shown.reblog.id, s.id);
      assert.equal(shown.reblog.reblogged, false);
      const listed = await getList(`/api/v1/accounts/${booster.accountId}/statuses`, follower, "Status");
      assert.deepEqual(listed.body.map((x: { id: string; reblog: { id: string } | null }) => [x.id, x.reblog?.id]), [[boost.id, s.id]]);
      const noBoosts = await getList(`/api/v1/accounts/${booster.accountId}/statuses?exclude_reblogs=true`, follower, "Status");
      assert.deepEqual(noBoosts.body, []);
      const by = await getList(`/api/v1/statuses/${s.id}/reblogged_by`, undefined, "Account");
      assert.deepEqual(by.body.map((a: { id: string }) => a.id), [booster.accountId]);

      const direct = await post(author, { status: `@${(await account(booster.accountId)).username} psst`, visibility: "direct" });
      expectStatus(await act(booster, direct.id, "reblog"), 403, "This action is not allowed");
      const priv = await post(author, { status: "followers only", visibility: "private" });
      expectStatus(await act(follower, priv.id, "reblog"), 403, "This action is not allowed");
      expectStatus(await act(stranger, priv.id, "reblog"), 404, "Record not found");
      const own = expectStatus(await act(author, priv.id, "reblog", { visibility: "public" }), 200).body;
      assert.equal(own.visibility, "private", "a private status's boost stays private");
      const ids = async (as: User) => (await getList(`/api/v1/accounts/${author.accountId}/statuses`, as, "Status")).body.map((x: { id: string; reblog: { id: string } | null }) => [x.id, x.reblog?.id ?? null]);
      assert.deepEqual((await ids(follower)).filter(([id]: string[]) => id === own.id), [[own.id, priv.id]]);
      assert.deepEqual((await ids(stranger)).filter(([id]: string[]) => id === own.id), []);
      const unlisted = expectStatus(await act(stranger, s.id, "reblog", { visibility: "unlisted" }), 200).body;
      assert.equal(unlisted.visibility, "unlisted");
      expectStatus(await act(follower, s.id, "reblog", { visibility: "direct" }), 422);

      const un = expectStatus(await act(booster, s.id, "unreblog"), 200).body;
      assert.equal(un.id, s.id);
      assert.equal(un.reblogged, false);
      assert.equal(un.reblogs_count, 1, "the stranger's boost remains");
      expectStatus(await show(boost.id), 404);
      assert.equal((await account(booster.accountId)).statuses_count, 0);
      expectStatus(await act(booster, s.id, "unreblog"), 200);
      assert.equal((await show(s.id)).body.reblogs_count, 1);
    });

    it("counts concurrent boosts exactly and keeps one boost per account", async () => {
      const [author, booster] = await people(["cb_author", "cb_booster"]);
      const others = await people(Array.from({ length: 8 }, (_, i) => `cb${i}`));
      const s = await post(author, { status: "boost storm" });
      const mine = await Promise.all([1, 2, 3].map(() => act(booster, s.id, "reblog")));
      assert.equal(new Set(mine.map((r) => expectStatus(r, 200).body.id)).size, 1);
      await Promise.all(others.map((o) => act(o, s.id, "reblog")));
      assert.equal((await show(s.id)).body.reblogs_count, 9);
    });

    it("hides a boost whose original the viewer may not see", async () => {
      const [author, booster, blocked] = await people(["h_author", "h_booster", "h_blocked"]);
      const s = await post(author, { status: "not for blocked" });
      const boost = expectStatus(await act(booster, s.id, "reblog"), 200).body;
      expectStatus(await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: author.token }), 200);
      expectStatus(await show(boost.id, blocked), 404);
      const listed = await getList(`/api/v1/accounts/${booster.accountId}/statuses`, blocked, "Status");
      assert.deepEqual(listed.body, []);
      const [muter] = await people(["h_muter"]);
      expectStatus(await t.request("POST", `/api/v1/accounts/${author.accountId}/mute`, { token: muter.token }), 200);
      // Asked for by id, a boost of a muted account's status shows, as Mastodon's; lists leave it out.
      assert.equal(expectStatus(await show(boost.id, muter), 200).body.reblog.id, s.id);
      assert.deepEqual((await getList(`/api/v1/accounts/${booster.accountId}/statuses`, muter, "Status")).body, []);
      assert.equal((await show(s.id, muter)).body.id, s.id, "the muted account's status itself stays reachable by id");
      await suspend(t, author.accountId);
      expectStatus(await show(boost.id), 404);
    });

    it("deleting a status deletes its boosts", async () => {
      const [author, booster] = await people(["d_author", "d_booster"]);
      const s = await post(author, { status: "soon gone" });
      const boost = expectStatus(await act(booster, s.id, "reblog"), 200).body;
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${s.id}`, { token: author.token }), 200);
      expectStatus(await show(boost.id), 404);
      assert.equal((await account(booster.accountId)).statuses_count, 0);
      expectStatus(await act(booster, s.id, "unreblog"), 404);
      // Deleting a boost by id is an unreblog.
      const t2 = await post(author, { status: "again" });
      const b2 = expectStatus(await act(booster, t2.id, "reblog"), 200).body;
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${b2.id}`, { token: booster.token }), 200);
      assert.equal((await show(t2.id)).body.reblogs_count, 0);
    });

    it("bookmarks, lists bookmarks by bookmark id, and unbookmarks", async () => {
      const [author, reader] = await people(["bm_author", "bm_reader"]);
      const a = await post(author, { status: "keep a" });
      const b = await post(author, { status: "keep b" });
      for (const s of [b, a]) assert.equal(expectStatus(await act(reader, s.id, "bookmark"), 200).body.bookmarked, true);
      const list = await getList("/api/v1/bookmarks", reader, "Status");
      assert.deepEqual(list.body.map((x: { id: string }) => x.id), [a.id, b.id]);
      assert.ok(pageLinks(list.headers.get("link"))!.next);
      const page = await getList("/api/v1/bookmarks?limit=1", reader, "Status");
      assert.deepEqual(page.body.map((x: { id: string }) => x.id), [a.id]);
      assert.equal((await show(a.id, author)).body.bookmarked, false);
      assert.equal(expectStatus(await act(reader, a.id, "unbookmark"), 200).body.bookmarked, false);
      assert.deepEqual((await getList("/api/v1/bookmarks", reader, "Status")).body.map((x: { id: string }) => x.id), [b.id]);
      const priv = await post(author, { status: "hidden", visibility: "private" });
      expectStatus(await act(reader, priv.id, "bookmark"), 404, "Record not found");
    });

    it("mutes conversations one takes part in, and says so in `muted`", async () => {
      const [author, replier, outsider] = await people(["m_author", "m_replier", "m_outsider"]);
      const root = await post(author, { status: "thread" });
      const reply = await post(replier, { status: "reply", in_reply_to_id: root.id });
      const muted = expectStatus(await act(replier, root.id, "mute"), 200).body;
      assert.equal(muted.muted, true);
      assert.equal((await show(reply.id, replier)).body.muted, true, "the whole thread is muted");
      assert.equal((await show(root.id, author)).body.muted, false);
      expectStatus(await act(replier, reply.id, "mute"), 200);
      expectStatus(await act(outsider, root.id, "mute"), 422);
      const { isConversationMuted } = await import("../../src/services/statuses/mute-conversation.ts");
      assert.equal(await isConversationMuted(t.container.db, BigInt(replier.accountId), BigInt(root.id)), true);
      assert.equal(await isConversationMuted(t.container.db, BigInt(author.accountId), BigInt(root.id)), false);
      assert.equal(expectStatus(await act(replier, root.id, "unmute"), 200).body.muted, false);
      assert.equal(await isConversationMuted(t.container.db, BigInt(replier.accountId), BigInt(root.id)), false);
    });

    it("shows a thread's ancestors and descendants depth first, without blocked or muted accounts", async () => {
      const [op, a, b, muted, blocker, viewer] = await people(["c_op", "c_a", "c_b", "c_muted", "c_blocker", "c_viewer"]);
      const root = await post(op, { status: "root" });
      const r1 = await post(a, { status: "r1", in_reply_to_id: root.id });
      const r2 = await post(b, { status: "r2", in_reply_to_id: root.id });
      const r11 = await post(b, { status: "r1.1", in_reply_to_id: r1.id });
      const r111 = await post(op, { status: "r1.1.1", in_reply_to_id: r11.id });
      const r21 = await post(a, { status: "r2.1", in_reply_to_id: r2.id });
      const rm = await post(muted, { status: "muted one", in_reply_to_id: root.id });
      const rb = await post(blocker, { status: "blocker", in_reply_to_id: r1.id });
      const priv = await post(a, { status: "private reply", in_reply_to_id: r2.id, visibility: "private" });
      expectStatus(await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: viewer.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${viewer.accountId}/block`, { token: blocker.token }), 200);

      const ctx = async (id: string, as?: User) => {
        const res = expectStatus(await t.request("GET", `/api/v1/statuses/${id}/context`, { token: as?.token }), 200);
        assertEntity("Context", res.body);
        assertResponse("GET", `/api/v1/statuses/${id}/context`, 200, res.body);
        return { ancestors: res.body.ancestors.map((s: { id: string }) => s.id), descendants: res.body.descendants.map((s: { id: string }) => s.id) };
      };
      assert.deepEqual(await ctx(root.id, viewer), { ancestors: [], descendants: [r1.id, r11.id, r111.id, r2.id, r21.id] });
      assert.deepEqual(await ctx(root.id), { ancestors: [], descendants: [r1.id, r11.id, r111.id, rb.id, r2.id, r21.id, rm.id] });
      assert.deepEqual(await ctx(root.id, a), { ancestors: [], descendants: [r1.id, r11.id, r111.id, rb.id, r2.id, r21.id, priv.id, rm.id] });
      assert.deepEqual(await ctx(r111.id, viewer), { ancestors: [root.id, r1.id, r11.id], descendants: [] });
      expectStatus(await t.request("GET", `/api/v1/statuses/${priv.id}/context`), 404, "Record not found");
    });

    it("applies the viewer's thread filters to the context", async () => {
      const [op, replier, viewer] = await people(["cf_op", "cf_replier", "cf_viewer"]);
      const root = await post(op, { status: "root" });
      const hidden = await post(replier, { status: "about turnips", in_reply_to_id: root.id });
      const warned = await post(replier, { status: "about parsnips", in_reply_to_id: root.id });
      const plain = await post(replier, { status: "about nothing", in_reply_to_id: root.id });
      for (const [keyword, action] of [["turnips", "hide"], ["parsnips", "warn"]])
        expectStatus(await t.request("POST", "/api/v2/filters", {
          token: viewer.token,
          json: { title: keyword, context: ["thread"], filter_action: action, keywords_attributes: [{ keyword }] },
        }), 200);
      const res = expectStatus(await t.request("GET", `/api/v1/statuses/${root.id}/context`, { token: viewer.token }), 200);
      assertEntity("Context", res.body);
      assert.deepEqual(res.body.descendants.map((s: { id: string }) => s.id), [warned.id, plain.id]);
      assert.equal(res.body.descendants[0].filtered?.[0]?.filter?.title, "parsnips");
      assert.equal(res.body.descendants[1].filtered?.length ?? 0, 0);
      const anonymous = expectStatus(await t.request("GET", `/api/v1/statuses/${root.id}/context`), 200).body;
      assert.deepEqual(anonymous.descendants.map((s: { id: string }) => s.id), [hidden.id, warned.id, plain.id]);
    });

    it("puts a boost into followers' home feeds and takes it out on unreblog", async () => {
      const [author, booster, follower] = await people(["f_author", "f_booster", "f_follower"]);
      expectStatus(await t.request("POST", `/api/v1/accounts/${booster.accountId}/follow`, { token: follower.token }), 200);
      const s = await post(author, { status: "spread me" });
      const boost = expectStatus(await act(booster, s.id, "reblog"), 200).body;
      await t.drain();
      const home = async () => (await getList("/api/v1/timelines/home", follower, "Status")).body.map((x: { id: string; reblog: { id: string } | null }) => [x.id, x.reblog?.id ?? null]);
      assert.deepEqual(await home(), [[boost.id, s.id]]);
      expectStatus(await act(booster, s.id, "unreblog"), 200);
      await t.drain();
      assert.deepEqual(await home(), []);
    });

    it("refuses writes without the right scope", async () => {
      const [author] = await people(["scope_author"]);
      const reader = await t.user(`scope_reader_${++n}`, { scopes: "read write:statuses" });
      const s = await post(author, { status: "scoped" });
      expectStatus(await act(reader, s.id, "favourite"), 403);
      expectStatus(await act(reader, s.id, "bookmark"), 403);
      expectStatus(await act(reader, s.id, "mute"), 403);
      expectStatus(await act(reader, s.id, "reblog"), 200);
    });
  });
}
