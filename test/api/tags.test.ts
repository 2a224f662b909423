import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pushToTagFollowers, TAG_FAN_OUT_BATCH } from "../../src/services/tags/tag-feeds.ts";
import { setChosenLanguages } from "../../src/services/timelines/chosen-languages.ts";
import { expectStatus, insertFollow, pageLinks, relative, suspend, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`hashtags (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, status: string, extra: Record<string, unknown> = {}) => {
      const res = expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json: { status, ...extra } }), 200);
      assertEntity("Status", res.body);
      return res.body;
    };
    const tagTimeline = async (path: string, as?: User) => {
      const res = expectStatus(await t.request("GET", `/api/v1/timelines/tag/${path}`, { token: as?.token }), 200);
      assertEntities("Status", res.body);
      assertResponse("GET", "/api/v1/timelines/tag/{hashtag}", 200, res.body);
      return res;
    };
    const ids = (res: { body: { id: string }[] }) => res.body.map((s) => s.id);
    const tag = async (name: string, as?: User) => {
      const res = expectStatus(await t.request("GET", `/api/v1/tags/${encodeURIComponent(name)}`, { token: as?.token }), 200);
      assertEntity("Tag", res.body);
      assertResponse("GET", "/api/v1/tags/{name}", 200, res.body);
      return res.body;
    };

    it("links hashtags in content, lists them on the status, and keeps the first spelling", async () => {
      const [author] = await users(t, ["tag_author"]);
      const s = await post(author, "Hello #Fediverse and #fediVERSE, #123 no, https://example.com/#anchor no, x#no, #café_2");
      const link = (written: string) => `<a href="${t.baseUrl}/tags/${encodeURIComponent(written)}" class="mention hashtag" rel="tag">#<span>${written}</span></a>`;
      assert.equal(
        s.content,
        `<p>Hello ${link("Fediverse")} and ${link("fediVERSE")}, #123 no, <a href="https://example.com/#anchor" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">example.com/#anchor</span><span class="invisible"></span></a> no, x#no, ${link("café_2")}</p>`,
      );
      assert.deepEqual(
        [...s.tags].sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
        [
          { name: "café_2", url: `${t.baseUrl}/tags/cafe_2` },
          { name: "Fediverse", url: `${t.baseUrl}/tags/fediverse` },
        ],
      );
      const rows = await t.container.db.kysely.selectFrom("tags").select(["name", "name_lower"]).orderBy("name_lower").execute();
      assert.ok(rows.some((r) => r.name === "Fediverse" && r.name_lower === "fediverse"));
      const shown = expectStatus(await t.request("GET", `/api/v1/statuses/${s.id}`), 200).body;
      assert.deepEqual(shown.tags, s.tags, "the tags are loaded with the page");
      const later = await post(author, "again #FEDIVERSE");
      assert.deepEqual(later.tags, [{ name: "Fediverse", url: `${t.baseUrl}/tags/fediverse` }], "the first spelling is kept");
    });

    it("shows a tag with a week of history, and follows and unfollows it", async () => {
      const [a, b, follower] = await users(t, ["hist_a", "hist_b", "hist_follower"]);
      await post(a, "#HistoryTag one");
      await post(a, "#historytag two");
      await post(b, "#historytag three");
      await post(b, "#historytag hidden", { visibility: "private" });
      const shown = await tag("HISTORYTAG");
      assert.equal(shown.name, "HistoryTag");
      assert.equal(shown.url, `${t.baseUrl}/tags/historytag`);
      assert.equal(shown.history.length, 7);
      const today = Math.floor(Date.now() / 86_400_000) * 86_400;
      assert.deepEqual(shown.history[0], { day: String(today), accounts: "2", uses: "3" });
      assert.deepEqual(shown.history[6], { day: String(today - 6 * 86_400), accounts: "0", uses: "0" });
      assert.ok(!("following" in shown), "anonymous viewers see no following field");
      assert.equal((await tag("historytag", follower)).following, false);

      const followed = expectStatus(await t.request("POST", "/api/v1/tags/historytag/follow", { token: follower.token }), 200);
      assertEntity("Tag", followed.body);
      assertResponse("POST", "/api/v1/tags/{name}/follow", 200, followed.body);
      assert.equal(followed.body.following, true);
      expectStatus(await t.request("POST", "/api/v1/tags/historytag/follow", { token: follower.token }), 200);
      assert.equal((await tag("historytag", follower)).following, true);
      const unfollowed = expectStatus(await t.request("POST", "/api/v1/tags/HistoryTag/unfollow", { token: follower.token }), 200);
      assert.equal(unfollowed.body.following, false);

      const fresh = await tag("never_used_yet");
      assert.equal(fresh.id, "");
      assert.equal(fresh.name, "never_used_yet");
      expectStatus(await t.request("GET", "/api/v1/tags/1234"), 404, "Record not found");
      expectStatus(await t.request("POST", "/api/v1/tags/historytag/follow"), 401);
      const readOnly = await t.user("hist_readonly", { scopes: "read" });
      expectStatus(await t.request("POST", "/api/v1/tags/historytag/follow", { token: readOnly.token }), 403);
    });

    it("lists followed tags newest first with Link paging", async () => {
      const [fan] = await users(t, ["followed_fan"]);
      for (const name of ["ftone", "fttwo", "ftthree"]) expectStatus(await t.request("POST", `/api/v1/tags/${name}/follow`, { token: fan.token }), 200);
      const first = expectStatus(await t.request("GET", "/api/v1/followed_tags?limit=2", { token: fan.token }), 200);
      assertEntities("Tag", first.body);
      assertResponse("GET", "/api/v1/followed_tags", 200, first.body);
      assert.deepEqual(first.body.map((x: { name: string }) => x.name), ["ftthree", "fttwo"]);
      assert.ok(first.body.every((x: { following: boolean }) => x.following === true));
      const links = pageLinks(first.headers.get("link"))!;
      const second = expectStatus(await t.request("GET", relative(links.next!), { token: fan.token }), 200);
      assert.deepEqual(second.body.map((x: { name: string }) => x.name), ["ftone"]);
      const back = expectStatus(await t.request("GET", relative(pageLinks(second.headers.get("link"))!.prev!), { token: fan.token }), 200);
      assert.deepEqual(back.body.map((x: { name: string }) => x.name), ["ftthree", "fttwo"]);
    });

    it("answers the tag timeline with any, all, none, local and paging, public statuses only", async () => {
      const [p] = await users(t, ["tl_poster"]);
      const cats = await post(p, "#tlcats only");
      const both = await post(p, "#tlcats and #tldogs");
      const dogs = await post(p, "#tldogs only");
      const birds = await post(p, "#tlbirds only");
      await post(p, "#tlcats unlisted", { visibility: "unlisted" });
      await post(p, "#tlcats private", { visibility: "private" });
      assert.deepEqual(ids(await tagTimeline("tlcats")), [both.id, cats.id]);
      assert.deepEqual(ids(await tagTimeline("TLCATS?any[]=tldogs")), [dogs.id, both.id, cats.id]);
      assert.deepEqual(ids(await tagTimeline("tlcats?all[]=tldogs")), [both.id]);
      assert.deepEqual(ids(await tagTimeline("tlcats?none[]=tldogs")), [cats.id]);
      assert.deepEqual(ids(await tagTimeline("tlcats?any[]=tlbirds&none[]=tldogs")), [birds.id, cats.id]);
      assert.deepEqual(ids(await tagTimeline("tlcats?local=true")), [both.id, cats.id]);
      assert.deepEqual(ids(await tagTimeline("tlcats?remote=true")), []);
      assert.deepEqual(ids(await tagTimeline("tlcats?only_media=true")), []);
      assert.deepEqual(ids(await tagTimeline("nosuchtagyet")), []);

      const page = await tagTimeline("tlcats?any[]=tldogs&limit=2");
      assert.deepEqual(ids(page), [dogs.id, both.id]);
      const links = pageLinks(page.headers.get("link"))!;
      assert.deepEqual(ids(await tagTimeline(relative(links.next!).replace("/api/v1/timelines/tag/", ""))), [cats.id]);
      assert.deepEqual(ids(await tagTimeline(`tlcats?any[]=tldogs&min_id=${cats.id}&limit=1`)), [both.id]);
      assert.deepEqual(ids(await tagTimeline(`tlcats?any[]=tldogs&since_id=${cats.id}&limit=1`)), [dogs.id]);
    });

    it("leaves out what the viewer blocks or mutes, who blocked them, and suspended authors", async () => {
      const [viewer, blocked, muted, blocker, suspended, fine] = await users(t, ["ex_viewer", "ex_blocked", "ex_muted", "ex_blocker", "ex_suspended", "ex_fine"]);
      const byId: Record<string, string> = {};
      for (const [name, u] of [["blocked", blocked], ["muted", muted], ["blocker", blocker], ["suspended", suspended], ["fine", fine]] as const)
        byId[name] = (await post(u, `#exclusions from ${name}`)).id;
      expectStatus(await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: viewer.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: viewer.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${viewer.accountId}/block`, { token: blocker.token }), 200);
      await suspend(t, suspended.accountId);
      assert.deepEqual(ids(await tagTimeline("exclusions", viewer)), [byId.fine]);
      assert.deepEqual(new Set(ids(await tagTimeline("exclusions"))), new Set([byId.fine, byId.blocked, byId.muted, byId.blocker]));
      const boost = expectStatus(await t.request("POST", `/api/v1/statuses/${byId.fine}/reblog`, { token: viewer.token }), 200);
      const anonymous = ids(await tagTimeline("exclusions"));
      assert.ok(!anonymous.includes(boost.body.id), "boosts are not in tag timelines");
      assert.equal(anonymous.length, 4);
    });

    it("puts followed tags' public statuses into the follower's home feed, unless they mute the author", async () => {
      const [fan, poster, muted] = await users(t, ["home_fan", "home_poster", "home_muted"]);
      expectStatus(await t.request("GET", "/api/v1/timelines/home", { token: fan.token }), 200);
      expectStatus(await t.request("POST", "/api/v1/tags/homefeedtag/follow", { token: fan.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: fan.token }), 200);
      const shown = await post(poster, "for the #HomeFeedTag followers");
      const quiet = await post(poster, "#homefeedtag but unlisted", { visibility: "unlisted" });
      const mutedPost = await post(muted, "muted #homefeedtag");
      await t.drain();
      const feed = await t.container.feeds.page(`home:${fan.accountId}`, {}, 40);
      assert.ok(feed !== null, "the home feed exists");
      assert.ok(feed.includes(BigInt(shown.id)));
      assert.ok(!feed.includes(BigInt(quiet.id)));
      assert.ok(!feed.includes(BigInt(mutedPost.id)));
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${shown.id}`, { token: poster.token }), 200);
      await t.drain();
      assert.ok(!(await t.container.feeds.page(`home:${fan.accountId}`, {}, 40))!.includes(BigInt(shown.id)), "a deleted status leaves the feed");
    });

    it("fans a tagged status out to over a thousand tag followers in batches, skipping muting, blocking and blocked ones", async () => {
      const [poster, muter, blocked, blocker, mentionMuter, friend] = await users(t, ["bulk_poster", "bulk_muter", "bulk_blocked", "bulk_blocker", "bulk_mention_muter", "bulk_friend"]);
      for (const u of [muter, blocked, blocker, mentionMuter]) expectStatus(await t.request("POST", "/api/v1/tags/bulkfanout/follow", { token: u.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${poster.accountId}/mute`, { token: muter.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: poster.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${poster.accountId}/block`, { token: blocker.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${friend.accountId}/mute`, { token: mentionMuter.token }), 200);
      // Enough plain followers for two batches (TAG_FAN_OUT_BATCH), as bare account rows.
      const db = t.container.db;
      const tagId = (await db.repos.tags.findByName("bulkfanout"))!.id;
      const bulk: bigint[] = [];
      const now = Date.now();
      for (let chunk = 0; chunk < TAG_FAN_OUT_BATCH + 100; chunk += 100) {
        const rows = [];
        for (let i = chunk; i < chunk + 100; i++) {
          const id = await db.nextId();
          bulk.push(id);
          rows.push({ id, username: `bulk_fan_${i}`, username_lower: `bulk_fan_${i}`, domain: null, display_name: "", note: "", locked: false, bot: false, created_at: now, updated_at: now, uri: null, url: null });
        }
        await db.kysely.insertInto("accounts").values(rows).execute();
        const follows = [];
        for (const id of bulk.slice(chunk)) follows.push({ id: await db.nextId(), account_id: id, tag_id: tagId, created_at: now });
        await db.kysely.insertInto("tag_follows").values(follows).execute();
      }
      const status = await post(poster, `#BulkFanout for everyone, hello @bulk_friend`);
      await t.drain();
      const { pushed, removed } = await pushToTagFollowers(t.container.jobDeps, BigInt(status.id));
      assert.deepEqual(removed, []);
      const got = new Set(pushed);
      assert.equal(got.size, pushed.length, "each follower once");
      assert.equal(bulk.filter((id) => !got.has(id)).length, 0, "every plain follower gets it, in both batches");
      for (const [who, u] of [["a muting", muter], ["a blocked", blocked], ["a blocking", blocker], ["one muting a mentioned account", mentionMuter]] as const)
        assert.ok(!got.has(BigInt(u.accountId)), `${who} follower is skipped`);
      assert.equal(pushed.length, bulk.length);

      expectStatus(await t.request("DELETE", `/api/v1/statuses/${status.id}`, { token: poster.token }), 200);
      await t.drain();
      const gone = await pushToTagFollowers(t.container.jobDeps, BigInt(status.id));
      assert.equal(gone.removed.length, bulk.length + 4, "a deleted status leaves every follower's feed, batch by batch");
    });

    it("features tags with their counts, suggests the most used, and lists an account's featured tags", async () => {
      const [me, other] = await users(t, ["feat_me", "feat_other"]);
      await post(me, "#FeatOne #feattwo");
      await post(me, "#featone again");
      await post(me, "#featone hidden", { visibility: "private" });
      const suggestions = expectStatus(await t.request("GET", "/api/v1/featured_tags/suggestions", { token: me.token }), 200);
      assertEntities("Tag", suggestions.body);
      assertResponse("GET", "/api/v1/featured_tags/suggestions", 200, suggestions.body);
      assert.deepEqual(suggestions.body.map((x: { name: string }) => x.name), ["FeatOne", "feattwo"]);

      const created = expectStatus(await t.request("POST", "/api/v1/featured_tags", { token: me.token, json: { name: "featone" } }), 200);
      assertEntity("FeaturedTag", created.body);
      assertResponse("POST", "/api/v1/featured_tags", 200, created.body);
      assert.equal(created.body.name, "FeatOne");
      assert.equal(created.body.statuses_count, "2");
      assert.equal(created.body.last_status_at, new Date().toISOString().slice(0, 10));
      assert.equal(created.body.url, `${t.baseUrl}/@feat_me/tagged/featone`);
      const again = expectStatus(await t.request("POST", "/api/v1/featured_tags", { token: me.token, form: { name: "#FEATONE" } }), 200);
      assert.equal(again.body.id, created.body.id, "featuring twice answers the same featured tag");
      const fresh = expectStatus(await t.request("POST", "/api/v1/featured_tags", { token: me.token, json: { name: "brandnewfeat" } }), 200);
      assert.equal(fresh.body.statuses_count, "0");
      assert.equal(fresh.body.last_status_at, null);
      expectStatus(await t.request("POST", "/api/v1/featured_tags", { token: me.token, json: { name: "12345" } }), 422, "Validation failed: Tag is invalid");
      expectStatus(await t.request("POST", "/api/v1/featured_tags", { token: me.token, json: {} }), 422, "Validation failed: Tag is invalid");
      const after = expectStatus(await t.request("GET", "/api/v1/featured_tags/suggestions", { token: me.token }), 200);
      assert.deepEqual(after.body.map((x: { name: string }) => x.name), ["feattwo"], "featured tags are not suggested");
      assert.equal((await tag("featone", me)).featuring, true);

      const mine = expectStatus(await t.request("GET", "/api/v1/featured_tags", { token: me.token }), 200);
      assertEntities("FeaturedTag", mine.body);
      assertResponse("GET", "/api/v1/featured_tags", 200, mine.body);
      assert.deepEqual(mine.body.map((x: { name: string }) => x.name), ["FeatOne", "brandnewfeat"]);
      const public_ = expectStatus(await t.request("GET", `/api/v1/accounts/${me.accountId}/featured_tags`), 200);
      assertEntities("FeaturedTag", public_.body);
      assertResponse("GET", "/api/v1/accounts/{id}/featured_tags", 200, public_.body);
      assert.deepEqual(public_.body, mine.body);

      expectStatus(await t.request("DELETE", `/api/v1/featured_tags/${created.body.id}`, { token: other.token }), 404, "Record not found");
      const removed = expectStatus(await t.request("DELETE", `/api/v1/featured_tags/${created.body.id}`, { token: me.token }), 200);
      assert.deepEqual(removed.body, {});
      expectStatus(await t.request("DELETE", `/api/v1/featured_tags/${created.body.id}`, { token: me.token }), 404, "Record not found");

      const featured = expectStatus(await t.request("POST", "/api/v1/tags/feattwo/feature", { token: me.token }), 200);
      assertEntity("Tag", featured.body);
      assert.equal(featured.body.featuring, true);
      const unfeatured = expectStatus(await t.request("POST", "/api/v1/tags/feattwo/unfeature", { token: me.token }), 200);
      assert.equal(unfeatured.body.featuring, false);
      const names = expectStatus(await t.request("GET", "/api/v1/featured_tags", { token: me.token }), 200).body.map((x: { name: string }) => x.name);
      assert.deepEqual(names, ["brandnewfeat"]);
    });

    it("refuses an eleventh featured tag, also under concurrent requests", async () => {
      const [me] = await users(t, ["feat_limit"]);
      for (let i = 0; i < 8; i++) expectStatus(await t.request("POST", "/api/v1/featured_tags", { token: me.token, json: { name: `limit${i}x` } }), 200);
      // Concurrent requests for the last places: exactly two win.
      const racing = await Promise.all(
        [8, 9, 10, 11, 12].map((i) => t.request("POST", "/api/v1/featured_tags", { token: me.token, json: { name: `limit${i}x` } })),
      );
      assert.equal(racing.filter((r) => r.status === 200).length, 2);
      for (const r of racing.filter((r) => r.status !== 200)) expectStatus(r, 422, /maximum number of hashtags/);
      const listed = expectStatus(await t.request("GET", "/api/v1/featured_tags", { token: me.token }), 200);
      assert.equal(listed.body.length, 10);
    });

    it("re-tags an edited status", async () => {
      const [editor] = await users(t, ["tag_editor"]);
      const s = await post(editor, "#beforeedit text");
      const edited = expectStatus(await t.request("PUT", `/api/v1/statuses/${s.id}`, { token: editor.token, json: { status: "#afteredit text" } }), 200);
      assert.deepEqual(edited.body.tags.map((x: { name: string }) => x.name), ["afteredit"]);
      assert.deepEqual(ids(await tagTimeline("beforeedit")), []);
      assert.deepEqual(ids(await tagTimeline("afteredit")), [s.id]);
    });

    it("lets a follower see followers-only tags nowhere but home", async () => {
      const [author, follower] = await users(t, ["priv_author", "priv_follower"]);
      await insertFollow(t, follower.accountId, author.accountId);
      await post(author, "#privonly secret", { visibility: "private" });
      assert.deepEqual(ids(await tagTimeline("privonly", follower)), []);
    });

    it("shows a signed-in viewer only their chosen languages, and statuses without one", async () => {
      const [author, reader] = await users(t, ["langtag_author", "langtag_reader"]);
      const de = await post(author, "#langtag Guten Tag", { language: "de" });
      const en = await post(author, "#langtag Hello", { language: "en" });
      const ja = await post(author, "#langtag #langother こんにちは", { language: "ja" });
      const unknown = await post(author, "#langtag no language given");
      assert.equal(unknown.language, null);
      assert.deepEqual(ids(await tagTimeline("langtag", reader)), [unknown.id, ja.id, en.id, de.id]);
      const set = await setChosenLanguages(t.container, BigInt(reader.accountId), ["de", "ja"]);
      assert.ok(set.ok);
      assert.deepEqual(ids(await tagTimeline("langtag", reader)), [unknown.id, ja.id, de.id]);
      assert.deepEqual(ids(await tagTimeline("langtag?any[]=langother", reader)), [unknown.id, ja.id, de.id], "with several tags too");
      assert.deepEqual(ids(await tagTimeline(`langtag?max_id=${ja.id}&limit=1`, reader)), [de.id]);
      assert.deepEqual(ids(await tagTimeline("langtag")), [unknown.id, ja.id, en.id, de.id], "anonymous readers see every language");
    });
  });
}
