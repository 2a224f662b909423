import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { chosenLanguagesOf, setChosenLanguages } from "../../src/services/timelines/chosen-languages.ts";
import { expectStatus, pageLinks, relative, remoteAccount, suspend, users } from "../support/accounts.ts";
import { assertEntities, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`timelines (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, json: Record<string, unknown>): Promise<string> => {
      const res = expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200);
      return res.body.id;
    };
    const boost = async (as: User, id: string): Promise<string> =>
      expectStatus(await t.request("POST", `/api/v1/statuses/${id}/reblog`, { token: as.token }), 200).body.id;
    const follow = async (who: User, whom: User, json: Record<string, unknown> = {}) =>
      expectStatus(await t.request("POST", `/api/v1/accounts/${whom.accountId}/follow`, { token: who.token, json }), 200);
    const home = async (as: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/timelines/home${query}`, { token: as.token }), 200);
      assertEntities("Status", res.body);
      assertResponse("GET", "/api/v1/timelines/home", 200, res.body);
      return res;
    };
    const homeIds = async (as: User, query = "") => (await home(as, query)).body.map((s: { id: string }) => s.id) as string[];
    const publicIds = async (query = "", as?: User) => {
      const res = expectStatus(await t.request("GET", `/api/v1/timelines/public${query}`, { token: as?.token }), 200);
      assertEntities("Status", res.body);
      assertResponse("GET", "/api/v1/timelines/public", 200, res.body);
      return res.body.map((s: { id: string }) => s.id) as string[];
    };
    /** Drops every feed of these accounts, as a flushed cache or a new Redis would. */
    const dropFeeds = async (accounts: readonly User[]) => {
      for (const a of accounts) await t.container.feeds.drop(`home:${a.accountId}`);
    };

    it("fans out by Mastodon's rules, and a rebuild after losing every feed gives the same pages", async () => {
      const [author, plain, muter, noBoosts, replyFan, mentionedFan, listFan, german, stranger, other, blockerOfOther, blockedByAuthor] = await users(t, [
        "fo_author", "fo_plain", "fo_muter", "fo_noboosts", "fo_replyfan", "fo_mentioned", "fo_listfan", "fo_german", "fo_stranger", "fo_other", "fo_blocker",
        "fo_blocked",
      ]);
      for (const f of [plain, muter, replyFan, mentionedFan, listFan, blockerOfOther, blockedByAuthor]) await follow(f, author);
      // A block row beside a follow (as a remote block can leave one until the follow is undone): the follower is shut out.
      await t.container.db.kysely
        .insertInto("blocks")
        .values({ id: await t.container.db.nextId(), account_id: BigInt(author.accountId), target_account_id: BigInt(blockedByAuthor.accountId), created_at: Date.now() })
        .execute();
      await follow(noBoosts, author, { reblogs: false });
      await follow(german, author, { languages: ["de"] });
      await follow(replyFan, other);
      await follow(author, other);
      expectStatus(await t.request("POST", `/api/v1/accounts/${author.accountId}/mute`, { token: muter.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${other.accountId}/block`, { token: blockerOfOther.token }), 200);
      const list = expectStatus(await t.request("POST", "/api/v1/lists", { token: listFan.token, json: { title: "only here", exclusive: true } }), 200).body;
      expectStatus(await t.request("POST", `/api/v1/lists/${list.id}/accounts`, { token: listFan.token, json: { account_ids: [author.accountId] } }), 200);
      const everyone = [author, plain, muter, noBoosts, replyFan, mentionedFan, listFan, german, stranger, other, blockerOfOther, blockedByAuthor];
      // Every feed exists (and is empty of these posts) before they are written, so fan-out is what fills them.
      await t.drain();
      for (const u of everyone) await homeIds(u);

      const otherPost = await post(other, { status: "a post to reply to", language: "en" });
      const s = {
        publicEn: await post(author, { status: "hello", language: "en" }),
        publicDe: await post(author, { status: "hallo", language: "de" }),
        priv: await post(author, { status: "followers only", visibility: "private", language: "en" }),
        direct: await post(author, { status: "@fo_mentioned @fo_stranger psst", visibility: "direct", language: "en" }),
        replyToOther: await post(author, { status: "@fo_other indeed", in_reply_to_id: otherPost, language: "en" }),
        mentionsOther: await post(author, { status: "thanks @fo_other", language: "en" }),
        boost: await boost(author, otherPost),
      };
      const first = await post(author, { status: "thread start", language: "en" });
      const selfReply = await post(author, { status: "thread, continued", in_reply_to_id: first, language: "en" });
      const replyToPlain = await post(author, { status: "@fo_plain yes", in_reply_to_id: await post(plain, { status: "question?", language: "en" }), language: "en" });
      await t.drain();

      const expected = new Map<User, string[]>([
        [plain, [s.publicEn, s.publicDe, s.priv, s.mentionsOther, s.boost, first, selfReply, replyToPlain]],
        [muter, []],
        [noBoosts, [s.publicEn, s.publicDe, s.priv, s.mentionsOther, first, selfReply]],
        [replyFan, [s.publicEn, s.publicDe, s.priv, s.replyToOther, s.mentionsOther, otherPost, first, selfReply]],
        [mentionedFan, [s.publicEn, s.publicDe, s.priv, s.direct, s.mentionsOther, s.boost, first, selfReply]],
        [listFan, []],
        [german, [s.publicDe, s.boost]],
        [stranger, []],
        [blockerOfOther, [s.publicEn, s.publicDe, s.priv, first, selfReply]],
        [blockedByAuthor, []],
      ]);
      const own = (ids: string[]) => ids.filter((id) => Object.values(s).includes(id) || [first, selfReply, replyToPlain].includes(id) || id === otherPost);
      const check = async (label: string) => {
        for (const [user, ids] of expected) {
          const got = own(await homeIds(user, "?limit=40"));
          assert.deepEqual(new Set(got), new Set(ids), `${label}: home of ${user.accountId}`);
          const sorted = [...got].sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));
          assert.deepEqual(got, sorted, `${label}: newest first`);
        }
        const authorHome = own(await homeIds(author, "?limit=40"));
        for (const id of [...Object.values(s), first, selfReply, replyToPlain, otherPost]) assert.ok(authorHome.includes(id), `${label}: the author sees ${id}`);
        const listIds = (await t.request("GET", `/api/v1/timelines/list/${list.id}?limit=40`, { token: listFan.token })).body.map((x: { id: string }) => x.id);
        assert.deepEqual(new Set(own(listIds)), new Set([s.publicEn, s.publicDe, s.priv, s.mentionsOther, s.boost, first, selfReply]), `${label}: the exclusive list`);
      };
      for (const [user, ids] of expected) {
        const feed = await t.container.feeds.page(`home:${user.accountId}`, {}, 100);
        assert.ok(feed, "the feed existed before the posts, so fan-out filled it");
        assert.deepEqual(new Set(own(feed.map(String))), new Set(ids), `fan-out pushed to ${user.accountId}`);
      }
      await check("fan-out");
      const before = new Map<User, string[]>();
      for (const u of everyone) before.set(u, await homeIds(u, "?limit=40"));
      await dropFeeds(everyone);
      await t.container.feeds.drop(`list:${list.id}`);
      await check("rebuild");
      for (const u of everyone) assert.deepEqual(await homeIds(u, "?limit=40"), before.get(u), "the same page as before the loss");
    });

    it("re-checks blocks, mutes and follows on read, and deletes leave every feed", async () => {
      const [poster, reader] = await users(t, ["rc_poster", "rc_reader"]);
      await follow(reader, poster);
      await t.drain();
      await homeIds(reader);
      const pub = await post(poster, { status: "public" });
      const priv = await post(poster, { status: "private", visibility: "private" });
      await t.drain();
      assert.deepEqual(await homeIds(reader), [priv, pub]);
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${pub}`, { token: poster.token }), 200);
      await t.drain();
      assert.deepEqual(await homeIds(reader), [priv]);
      assert.equal(await t.container.feeds.page(`home:${reader.accountId}`, { maxId: BigInt(pub) + 1n, minId: BigInt(pub) - 1n }, 1).then((x) => x?.length), 0, "the feed no longer holds it");
      expectStatus(await t.request("POST", `/api/v1/accounts/${poster.accountId}/mute`, { token: reader.token }), 200);
      const hidden = await home(reader);
      assert.deepEqual(hidden.body, [], "a mute made after fan-out hides the status");
      assert.equal(pageLinks(hidden.headers.get("link"))!.next!.searchParams.get("max_id"), priv, "the page still links past what it left out");
      expectStatus(await t.request("POST", `/api/v1/accounts/${poster.accountId}/unmute`, { token: reader.token }), 200);
      assert.deepEqual(await homeIds(reader), [priv]);
      expectStatus(await t.request("POST", `/api/v1/accounts/${reader.accountId}/block`, { token: poster.token }), 200);
      assert.deepEqual(await homeIds(reader), [], "a block made after fan-out hides the status");
    });

    it("shows the viewer's favourites, boosts, bookmarks, pins and muted conversations on home pages, boosted statuses included", async () => {
      const [reader, poster, booster, stranger] = await users(t, ["vs_reader", "vs_poster", "vs_booster", "vs_stranger"]);
      await follow(reader, poster);
      await follow(reader, booster);
      const plain = await post(poster, { status: "nothing done to this one" });
      const liked = await post(poster, { status: "liked and bookmarked" });
      const muted = await post(poster, { status: "@vs_reader muted thread" });
      // By someone the reader does not follow: a boost of what the feed already holds would not be added.
      const boosted = await post(stranger, { status: "boosted by someone else, liked by the reader" });
      const mine = await post(reader, { status: "my own, pinned" });
      const boostOf = await boost(booster, boosted);
      for (const [path, id] of [["favourite", liked], ["bookmark", liked], ["mute", muted], ["favourite", boosted], ["reblog", plain], ["pin", mine]] as const)
        expectStatus(await t.request("POST", `/api/v1/statuses/${id}/${path}`, { token: reader.token }), 200);
      await t.drain();
      for (const query of ["", "?limit=3"]) {
        const page = (await home(reader, query)).body as Record<string, any>[];
        const byId = new Map(page.map((s) => [s.id, s]));
        const flags = (s: Record<string, any>) => ({ favourited: s.favourited, reblogged: s.reblogged, bookmarked: s.bookmarked, muted: s.muted });
        const off = { favourited: false, reblogged: false, bookmarked: false, muted: false };
        const wrapper = byId.get(boostOf);
        assert.ok(wrapper, "the boost is on the page");
        assert.deepEqual(flags(wrapper.reblog), { ...off, favourited: true }, "the boosted status carries the reader's favourite");
        assert.deepEqual(flags(wrapper), off);
        if (query !== "") continue;
        assert.deepEqual(flags(byId.get(liked)!), { ...off, favourited: true, bookmarked: true });
        assert.deepEqual(flags(byId.get(muted)!), { ...off, muted: true });
        assert.deepEqual(flags(byId.get(plain)!), { ...off, reblogged: true });
        assert.equal(byId.get(mine)!.pinned, true);
        assert.equal(byId.get(liked)!.pinned, undefined, "pinned shows only on the viewer's own statuses");
      }
    });

    it("follows and unfollows change the home feed", async () => {
      const [viewer, author] = await users(t, ["fu_viewer", "fu_author"]);
      const earlier = await post(author, { status: "before the follow" });
      await homeIds(viewer);
      await follow(viewer, author);
      await t.drain();
      assert.deepEqual(await homeIds(viewer), [earlier], "following merges recent statuses in");
      expectStatus(await t.request("POST", `/api/v1/accounts/${author.accountId}/unfollow`, { token: viewer.token }), 200);
      await t.drain();
      assert.deepEqual(await homeIds(viewer), [], "unfollowing takes them out");
    });

    it("pages the home timeline with max_id, since_id, min_id, limit and Link headers", async () => {
      const [reader, writer] = await users(t, ["pg_reader", "pg_writer"]);
      await follow(reader, writer);
      await t.drain();
      await homeIds(reader);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await post(writer, { status: `number ${i}` }));
      await t.drain();
      const newest = [...ids].reverse();
      const first = await home(reader, "?limit=2");
      assert.deepEqual(first.body.map((s: { id: string }) => s.id), newest.slice(0, 2));
      const links = pageLinks(first.headers.get("link"))!;
      assert.equal(links.next!.searchParams.get("max_id"), newest[1]);
      assert.equal(links.prev!.searchParams.get("min_id"), newest[0]);
      assert.deepEqual((await home(reader, relative(links.next!).replace("/api/v1/timelines/home", ""))).body.map((s: { id: string }) => s.id), newest.slice(2, 4));
      assert.deepEqual(await homeIds(reader, `?min_id=${ids[1]}&limit=2`), [ids[3], ids[2]], "min_id pages forward from a point");
      assert.deepEqual(await homeIds(reader, `?since_id=${ids[1]}&limit=2`), [ids[4], ids[3]], "since_id gives the newest");
      assert.deepEqual(await homeIds(reader, "?limit=100"), newest, "limit is capped at 40");
      assert.equal((await home(reader, "?max_id=1")).headers.get("link"), null, "an empty page has no Link header");
      expectStatus(await t.request("GET", "/api/v1/timelines/home"), 401);
      const token = await t.user("pg_writeonly", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/timelines/home", { token: token.token }), 403);
    });

    it("leaves local authors out of the public timeline until they are confirmed and approved", async () => {
      const [shown, unconfirmed, unapproved] = await users(t, ["pu_shown", "pu_unconfirmed", "pu_unapproved"]);
      const posts = { shown: await post(shown, { status: "published" }), unconfirmed: await post(unconfirmed, { status: "not yet" }), unapproved: await post(unapproved, { status: "pending" }) };
      const users_ = t.container.db.kysely.updateTable("users");
      await users_.set({ confirmed_at: null }).where("account_id", "=", BigInt(unconfirmed.accountId)).execute();
      await users_.set({ approved: false }).where("account_id", "=", BigInt(unapproved.accountId)).execute();
      for (const query of ["?limit=40", "?local=true&limit=40"]) {
        const ids = await publicIds(query, shown);
        assert.ok(ids.includes(posts.shown), `${query} shows a published author`);
        assert.ok(!ids.includes(posts.unconfirmed), `${query} leaves out an unconfirmed author`);
        assert.ok(!ids.includes(posts.unapproved), `${query} leaves out an unapproved author`);
      }
    });

    it("answers public timelines: local, remote, only_media, no boosts or replies to others, without blocked or muted authors", async () => {
      const [local, viewer, muted, silenced, suspended] = await users(t, ["pb_local", "pb_viewer", "pb_muted", "pb_silenced", "pb_suspended"]);
      const remoteId = await remoteAccount(t, "faraway", "remote.example");
      const remotePost = await t.container.db.nextId();
      await t.container.db.kysely
        .insertInto("statuses")
        .values({ id: remotePost, account_id: BigInt(remoteId), text: "<p>from afar</p>", visibility: "public", created_at: Date.now(), updated_at: Date.now(), conversation_id: remotePost, uri: "https://remote.example/s/1", url: "https://remote.example/@faraway/1" })
        .execute();
      const localPost = await post(local, { status: "local and public" });
      const mediaPost = await t.container.db.nextId();
      await t.container.db.kysely
        .insertInto("statuses")
        .values({ id: mediaPost, account_id: BigInt(local.accountId), text: "with media", visibility: "public", created_at: Date.now(), updated_at: Date.now(), conversation_id: mediaPost, media_attachment_ids: "[]" })
        .execute();
      const unlisted = await post(local, { status: "unlisted", visibility: "unlisted" });
      const reply = await post(local, { status: "@pb_viewer reply", in_reply_to_id: await post(viewer, { status: "root" }) });
      const selfReply = await post(local, { status: "self reply", in_reply_to_id: localPost });
      const boosted = await boost(local, localPost);
      const mutedPost = await post(muted, { status: "muted one" });
      const silencedPost = await post(silenced, { status: "silenced one" });
      const suspendedPost = await post(suspended, { status: "suspended one" });
      await t.container.db.kysely.updateTable("accounts").set({ silenced_at: Date.now() }).where("id", "=", BigInt(silenced.accountId)).execute();
      await suspend(t, suspended.accountId);
      expectStatus(await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: viewer.token }), 200);

      const all = await publicIds("?limit=40");
      for (const id of [localPost, selfReply, remotePost.toString(), mediaPost.toString(), mutedPost]) assert.ok(all.includes(id), `public shows ${id}`);
      for (const id of [unlisted, reply, boosted, silencedPost, suspendedPost]) assert.ok(!all.includes(id), `public leaves out ${id}`);
      const localIds = await publicIds("?local=true&limit=40");
      assert.ok(localIds.includes(localPost) && !localIds.includes(String(remotePost)));
      const remoteIds = await publicIds("?remote=true&limit=40");
      assert.deepEqual(remoteIds, [String(remotePost)]);
      assert.deepEqual(await publicIds("?only_media=true&limit=40"), [String(mediaPost)]);
      const seen = await publicIds("?limit=40", viewer);
      assert.ok(!seen.includes(mutedPost), "a muted author is left out for the viewer");
      assert.ok(seen.includes(localPost));
      // Paging by id bounds.
      assert.deepEqual(await publicIds(`?local=true&max_id=${selfReply}&limit=1`), [localIds[localIds.indexOf(selfReply) + 1]]);
      assert.deepEqual(await publicIds(`?local=true&min_id=${localPost}&limit=1`), [localIds[localIds.indexOf(localPost) - 1]]);
      await t.container.db.kysely.deleteFrom("statuses").where("id", "in", [remotePost, mediaPost]).execute();
    });

    it("shows a signed-in viewer of the public timeline only their chosen languages, and statuses without one", async () => {
      const [writer, reader, other] = await users(t, ["lang_writer", "lang_reader", "lang_other"]);
      const de = await post(writer, { status: "Guten Tag", language: "de" });
      const fr = await post(writer, { status: "Bonjour", language: "fr" });
      const en = await post(writer, { status: "Hello", language: "en" });
      const unknown = await post(writer, { status: "no language given" });
      assert.equal(expectStatus(await t.request("GET", `/api/v1/statuses/${unknown}`), 200).body.language, null);
      const mine = [de, fr, en, unknown];
      const shown = async (as?: User) => (await publicIds("?local=true&limit=40", as)).filter((id) => mine.includes(id)).sort();
      // Read once before the choice, so a cached "every language" must give way to the new choice.
      assert.deepEqual(await shown(reader), [...mine].sort());
      const reader64 = BigInt(reader.accountId);

      const set = await setChosenLanguages(t.container, reader64, ["de", " FR ", "de", ""]);
      assert.ok(set.ok);
      assert.deepEqual(set.value, ["de", "fr"], "blanks and repeats dropped, codes lower-cased");
      assert.deepEqual(await t.container.db.repos.users.chosenLanguages(reader64), ["de", "fr"]);
      assert.deepEqual(await chosenLanguagesOf(t.container, reader64), ["de", "fr"]);
      assert.deepEqual(await shown(reader), [de, fr, unknown].sort());
      assert.deepEqual(await publicIds(`?local=true&max_id=${fr}&limit=1`, reader), [de], "paging skips what is left out");
      assert.deepEqual(await shown(), [...mine].sort(), "anonymous readers see every language");
      assert.deepEqual(await shown(other), [...mine].sort(), "another user's choice is their own");

      const wrong = await setChosenLanguages(t.container, reader64, ["de", "english"]);
      assert.ok(!wrong.ok && /english/.test(wrong.error.message));
      assert.deepEqual(await chosenLanguagesOf(t.container, reader64), ["de", "fr"], "a refused choice changes nothing");
      const cleared = await setChosenLanguages(t.container, reader64, []);
      assert.ok(cleared.ok && cleared.value === null, "an empty choice means every language");
      assert.equal(await t.container.db.repos.users.chosenLanguages(reader64), null);
      assert.deepEqual(await shown(reader), [...mine].sort());
    });
  });
}
