import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectStatus, users } from "../support/accounts.ts";
import { assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`search (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, status: string, extra: Record<string, unknown> = {}) =>
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json: { status, ...extra } }), 200).body;
    const indexable = async (as: User) =>
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: as.token, json: { indexable: true } }), 200);
    const search = async (query: Record<string, string>, as?: User) => {
      const res = expectStatus(await t.request("GET", `/api/v2/search?${new URLSearchParams(query)}`, { token: as?.token }), 200);
      assertEntity("Search", res.body);
      assertResponse("GET", "/api/v2/search", 200, res.body);
      return res.body as { accounts: { id: string }[]; statuses: { id: string }[]; hashtags: { name: string; following?: boolean }[] };
    };
    const statusIds = async (q: string, as: User, extra: Record<string, string> = {}) =>
      (await search({ q, type: "statuses", ...extra }, as)).statuses.map((s) => s.id);

    it("finds accounts and hashtags by prefix, also anonymously, and reads #tag and @address queries as Mastodon", async () => {
      const [alpha] = await users(t, ["searchalpha"]);
      await post(alpha, "#SearchableTag and #searchabletagtwo and #other");
      const anon = await search({ q: "searchalpha" });
      assert.deepEqual(anon.accounts.map((a) => a.id), [alpha.accountId]);
      assert.deepEqual(anon.statuses, []);
      const tags = await search({ q: "searchable" });
      assert.deepEqual(tags.hashtags.map((h) => h.name), ["SearchableTag", "searchabletagtwo"]);
      assert.ok(!("following" in tags.hashtags[0]));
      const hash = await search({ q: "#searchabletag" }, alpha);
      assert.deepEqual(hash.hashtags.map((h) => h.name), ["SearchableTag", "searchabletagtwo"]);
      assert.equal(hash.hashtags[0].following, false);
      assert.deepEqual(hash.accounts, [], "a #tag query finds no accounts");
      const address = await search({ q: "@searchalpha@herd.test" }, alpha);
      assert.deepEqual(address.accounts.map((a) => a.id), [alpha.accountId]);
      assert.deepEqual(address.hashtags, [], "an address finds no hashtags");
      const onlyTags = await search({ q: "searchable", type: "hashtags", limit: "1", offset: "1" }, alpha);
      assert.deepEqual(onlyTags.hashtags.map((h) => h.name), ["searchabletagtwo"]);
      assert.deepEqual(onlyTags.accounts, []);
      const unknownType = await search({ q: "searchable", type: "everything" }, alpha);
      assert.deepEqual(unknownType, { accounts: [], statuses: [], hashtags: [] });
      await t.container.db.kysely.updateTable("tags").set({ reviewed_at: Date.now() }).where("name_lower", "=", "searchabletagtwo").execute();
      const reviewed = await search({ q: "searchable", exclude_unreviewed: "true" });
      assert.deepEqual(reviewed.hashtags.map((h) => h.name), ["searchabletagtwo"]);
      const exact = await search({ q: "searchabletag", exclude_unreviewed: "true" });
      assert.deepEqual(exact.hashtags.map((h) => h.name), ["SearchableTag", "searchabletagtwo"], "the exact match stays");
      await post(alpha, "#likeme_tag #likemextag");
      assert.deepEqual((await search({ q: "likeme_" })).hashtags.map((h) => h.name), ["likeme_tag"], "_ is no wildcard");
    });

    it("refuses what Mastodon refuses", async () => {
      expectStatus(await t.request("GET", "/api/v2/search"), 400, "param is missing or the value is empty: q");
      expectStatus(await t.request("GET", "/api/v2/search?q=x&offset=1"), 401, "Search queries pagination is not supported without authentication");
      expectStatus(await t.request("GET", "/api/v2/search?q=x&resolve=true"), 401, "Search queries that resolve remote resources are not supported without authentication");
      const noSearch = await t.user("search_noscope", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v2/search?q=x", { token: noSearch.token }), 403);
      const readSearch = await t.user("search_scoped", { scopes: "read:search" });
      expectStatus(await t.request("GET", "/api/v2/search?q=x&offset=1&resolve=true", { token: readSearch.token }), 200);
    });

    it("searches statuses: public ones of indexable authors, one's own and those mentioning one", async () => {
      const [searcher, opted, closed] = await users(t, ["fts_searcher", "fts_opted", "fts_closed"]);
      await indexable(opted);
      const open = await post(opted, "Wombats enjoy sunshine");
      await post(opted, "wombats in unlisted", { visibility: "unlisted" });
      const notIndexable = await post(closed, "wombats from a closed account");
      const mention = await post(closed, "@fts_searcher wombats for you", { visibility: "direct" });
      const own = await post(searcher, "my wombats", { visibility: "private" });
      await t.drain();
      assert.deepEqual(await statusIds("WOMBATS", searcher), [own.id, mention.id, open.id]);
      assert.deepEqual(await statusIds("wombats sunshine", searcher), [open.id]);
      assert.deepEqual(await statusIds("wombats -sunshine", searcher), [own.id, mention.id]);
      assert.deepEqual(await statusIds("wombats", closed), [mention.id, notIndexable.id, open.id], "authors find their own statuses");
      assert.deepEqual(await statusIds("wombats", searcher, { account_id: opted.accountId }), [open.id]);
      assert.deepEqual(await statusIds("wombats", searcher, { limit: "1", offset: "1" }), [mention.id]);
      assert.deepEqual(await statusIds("wombats", searcher, { max_id: own.id }), [mention.id, open.id]);
      assert.deepEqual(await statusIds("wombats", searcher, { min_id: mention.id }), [own.id]);
      const all = await search({ q: "wombats" }, searcher);
      assert.equal(all.statuses.length, 3);
      for (const s of all.statuses) assertEntity("Status", s);
      assert.deepEqual(await statusIds("#wombats", searcher), [], "a single #tag token does not search statuses");
      assert.deepEqual((await search({ q: "wombats", type: "statuses" })).statuses, [], "statuses need a signed-in searcher");
    });

    it("leaves out blocked and muted authors, and follows deletes and edits", async () => {
      const [searcher, blocked, muted, blocker, editor] = await users(t, ["fts2_searcher", "fts2_blocked", "fts2_muted", "fts2_blocker", "fts2_editor"]);
      for (const u of [blocked, muted, blocker, editor]) await indexable(u);
      for (const u of [blocked, muted, blocker]) await post(u, "platypus sighting");
      const edited = await post(editor, "platypus before edit");
      const removed = await post(editor, "platypus to be deleted");
      expectStatus(await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: searcher.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${muted.accountId}/mute`, { token: searcher.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/accounts/${searcher.accountId}/block`, { token: blocker.token }), 200);
      await t.drain();
      assert.deepEqual(await statusIds("platypus", searcher), [removed.id, edited.id]);
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${removed.id}`, { token: editor.token }), 200);
      expectStatus(await t.request("PUT", `/api/v1/statuses/${edited.id}`, { token: editor.token, json: { status: "echidna after edit" } }), 200);
      await t.drain();
      assert.deepEqual(await statusIds("platypus", searcher), []);
      assert.deepEqual(await statusIds("echidna", searcher), [edited.id]);
    });

    it("applies the searcher's public filters: warn fills `filtered`, hide leaves the status out", async () => {
      const [searcher, author] = await users(t, ["fts3_searcher", "fts3_author"]);
      await indexable(author);
      const filter = async (keyword: string, action: string, context: string[]) =>
        expectStatus(
          await t.request("POST", "/api/v2/filters", { token: searcher.token, json: { title: keyword, context, filter_action: action, keywords_attributes: [{ keyword }] } }),
          200,
        ).body;
      const warn = await filter("quokka", "warn", ["public"]);
      await filter("lemur", "hide", ["public"]);
      await filter("numbat", "hide", ["home"]);
      const warned = await post(author, "a quokka smiles");
      await post(author, "a lemur leaps");
      const other = await post(author, "a numbat digs");
      await t.drain();
      const found = (await search({ q: "quokka", type: "statuses" }, searcher)).statuses as { id: string; filtered?: { filter: { id: string }; keyword_matches: string[] }[] }[];
      assert.deepEqual(found.map((s) => s.id), [warned.id]);
      assertEntity("Status", found[0]);
      assert.equal(found[0].filtered?.length, 1);
      assert.equal(found[0].filtered![0].filter.id, warn.id);
      assert.deepEqual(found[0].filtered![0].keyword_matches, ["quokka"]);
      assert.deepEqual(await statusIds("lemur", searcher), [], "a hide filter of the public context leaves it out");
      assert.deepEqual(await statusIds("numbat", searcher), [other.id], "filters of other contexts do not apply");
    });

    it("reads phrases and from: in status queries", async () => {
      const [me, other] = await users(t, ["ops_me", "ops_other"]);
      await indexable(other);
      const mine = await post(me, "the golden retriever naps");
      const theirs = await post(other, "a retriever, golden and happy");
      await t.drain();
      assert.deepEqual(await statusIds('"golden retriever"', me), [mine.id]);
      assert.deepEqual(await statusIds("golden retriever", me), [theirs.id, mine.id]);
      assert.deepEqual(await statusIds("retriever from:me", me), [mine.id]);
      assert.deepEqual(await statusIds("retriever from:ops_other", me), [theirs.id]);
      assert.deepEqual(await statusIds("retriever from:@ops_other@herd.test", me), [theirs.id]);
      assert.deepEqual(await statusIds("retriever from:nobody_here", me), []);
      assert.deepEqual(await statusIds("retriever from:me", me, { account_id: other.accountId }), []);
    });

    it("resolves this instance's account and status URLs with resolve=true", async () => {
      const [me, author] = await users(t, ["resolve_me", "resolve_author"]);
      const open = await post(author, "resolvable");
      const hidden = await post(author, "not for you", { visibility: "private" });
      const found = await search({ q: `${t.baseUrl}/@resolve_author/${open.id}`, resolve: "true" }, me);
      assert.deepEqual(found.statuses.map((s) => s.id), [open.id]);
      assert.deepEqual(found.accounts, []);
      const byUri = await search({ q: `${t.baseUrl}/users/resolve_author/statuses/${open.id}`, resolve: "true" }, me);
      assert.deepEqual(byUri.statuses.map((s) => s.id), [open.id]);
      assert.deepEqual((await search({ q: `${t.baseUrl}/@resolve_author/${hidden.id}`, resolve: "true" }, me)).statuses, []);
      assert.deepEqual((await search({ q: `${t.baseUrl}/@resolve_me/${open.id}`, resolve: "true" }, me)).statuses, [], "the author must match");
      const profile = await search({ q: `${t.baseUrl}/@resolve_author`, resolve: "true" }, me);
      assert.deepEqual(profile.accounts.map((a) => a.id), [author.accountId]);
      assert.deepEqual((await search({ q: `${t.baseUrl}/users/resolve_author`, resolve: "true", type: "statuses" }, me)).accounts, []);
      assert.deepEqual(await search({ q: "https://elsewhere.example/@someone/1", resolve: "true" }, me), { accounts: [], statuses: [], hashtags: [] });
      assert.deepEqual((await search({ q: `${t.baseUrl}/@resolve_author/99999999999999999999`, resolve: "true" }, me)).statuses, []);
      assert.deepEqual((await search({ q: `${t.baseUrl}/@%E0%A4%A`, resolve: "true" }, me)).accounts, []);
    });

    it("searches accounts only among those the searcher follows with following=true", async () => {
      const [me, friend] = await users(t, ["follow_search_me", "follow_search_friend"]);
      await users(t, ["follow_search_stranger"]);
      expectStatus(await t.request("POST", `/api/v1/accounts/${friend.accountId}/follow`, { token: me.token }), 200);
      const res = await search({ q: "follow_search", type: "accounts", following: "true" }, me);
      assert.deepEqual(res.accounts.map((a) => a.id), [friend.accountId]);
      assert.equal((await search({ q: "follow_search", type: "accounts" }, me)).accounts.length, 3);
    });
  });
}
