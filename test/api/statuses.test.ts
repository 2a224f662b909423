import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { expectStatus, insertFollow, pageLinks, relative, suspend, unconfirmedAccount, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`statuses (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, json: Record<string, unknown>, headers?: Record<string, string>) => {
      const res = await t.request("POST", "/api/v1/statuses", { token: as.token, json, headers });
      if (res.status === 200) {
        assertEntity("Status", res.body);
        assertResponse("POST", "/api/v1/statuses", 200, res.body);
      }
      return res;
    };
    const show = (id: string, as?: User) => t.request("GET", `/api/v1/statuses/${id}`, { token: as?.token });
    const listOf = async (author: User, as?: User, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/accounts/${author.accountId}/statuses${query}`, { token: as?.token }), 200);
      assertEntities("Status", res.body);
      assertResponse("GET", `/api/v1/accounts/${author.accountId}/statuses`, 200, res.body);
      return res;
    };
    const account = async (id: string) => (await t.request("GET", `/api/v1/accounts/${id}`)).body;

    it("posts from a form and from JSON, with Mastodon's defaults and content", async () => {
      const [poster] = await users(t, ["poster"]);
      const form = expectStatus(await t.request("POST", "/api/v1/statuses", { token: poster.token, form: { status: "Hello <world>\n\nsee https://example.com/a" } }), 200);
      assertEntity("Status", form.body);
      assert.equal(form.body.visibility, "public");
      assert.equal(form.body.content, '<p>Hello &lt;world&gt;</p><p>see <a href="https://example.com/a" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">example.com/a</span><span class="invisible"></span></a></p>');
      assert.equal(form.body.sensitive, false);
      assert.equal(form.body.uri, `${t.baseUrl}/users/poster/statuses/${form.body.id}`);
      assert.equal(form.body.url, `${t.baseUrl}/@poster/${form.body.id}`);
      assert.equal(form.body.account.id, poster.accountId);
      assert.equal(form.body.favourited, false);
      assert.equal(form.body.pinned, false);
      assert.ok(form.body.application === null || typeof form.body.application.name === "string");
      assert.ok(!("text" in form.body), "the source is only shown on delete");

      const json = expectStatus(await post(poster, { status: "secret", spoiler_text: "cw", visibility: "unlisted", language: "de" }), 200);
      assert.equal(json.body.sensitive, true, "a content warning forces sensitive");
      assert.equal(json.body.spoiler_text, "cw");
      assert.equal(json.body.visibility, "unlisted");
      assert.equal(json.body.language, "de");
      const multipart = new FormData();
      multipart.append("status", "from multipart");
      multipart.append("visibility", "private");
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: poster.token, form: multipart }), 200);
      const me = await account(poster.accountId);
      assert.equal(me.statuses_count, 3);
      assert.equal(me.last_status_at, new Date().toISOString().slice(0, 10));
      const verified = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: poster.token });
      assert.equal(verified.body.statuses_count, 3, "the cached credentials are refreshed");

      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: poster.token, json: { source: { privacy: "private", language: "fr" } } });
      const defaults = expectStatus(await post(poster, { status: "with defaults" }), 200);
      assert.equal(defaults.body.visibility, "private");
      assert.equal(defaults.body.language, "fr");
    });

    it("refuses blank and too long texts, counting links as 23 characters", async () => {
      const [writer] = await users(t, ["writer"]);
      expectStatus(await post(writer, { status: "   " }), 422, "Validation failed: Text can't be blank");
      expectStatus(await post(writer, {}), 422, "Validation failed: Text can't be blank");
      expectStatus(await post(writer, { status: "a".repeat(501) }), 422, "Validation failed: Text character limit of 500 exceeded");
      expectStatus(await post(writer, { status: "a".repeat(490), spoiler_text: "b".repeat(11) }), 422, /character limit/);
      expectStatus(await post(writer, { status: "a".repeat(500) }), 200);
      const url = `https://example.com/${"x".repeat(200)}`;
      expectStatus(await post(writer, { status: `${"a".repeat(476)} ${url}` }), 200);
      expectStatus(await post(writer, { status: `${"a".repeat(477)} ${url}` }), 422, /character limit of 500/);
      expectStatus(await post(writer, { status: `${"a".repeat(490)} @writer@herd.test` }), 200, undefined);
      expectStatus(await post(writer, { status: "x", visibility: "everyone" }), 422, /Visibility/);
      expectStatus(await post(writer, { status: "x", poll: { options: ["a"], expires_in: 600 } }), 422, "Validation failed: Choices must have more than one item");
      expectStatus(await post(writer, { status: "x", in_reply_to_id: "999999" }), 404, "Record not found");
      expectStatus(await post(writer, { status: "x", in_reply_to_id: "nope" }), 404, "Record not found");
    });

    it("links local mentions, records them, and drops mentions across a block either way", async () => {
      const [mentioner, bob, blockedOne, blocker] = await users(t, ["mentioner", "bob", "blocked_one", "mention_blocker"]);
      await t.request("POST", `/api/v1/accounts/${blockedOne.accountId}/block`, { token: mentioner.token });
      // A blocked account cannot reach its blocker by mentioning them either.
      await t.request("POST", `/api/v1/accounts/${mentioner.accountId}/block`, { token: blocker.token });
      const res = expectStatus(await post(mentioner, { status: "hi @bob and @BOB@herd.test, @nobody, @carol@elsewhere.example, @blocked_one, @mention_blocker, mail x@bob.org" }), 200);
      assert.deepEqual(res.body.mentions, [{ id: bob.accountId, username: "bob", url: `${t.baseUrl}/@bob`, acct: "bob" }]);
      const link = `<span class="h-card" translate="no"><a href="${t.baseUrl}/@bob" class="u-url mention">@<span>bob</span></a></span>`;
      assert.equal(res.body.content, `<p>hi ${link} and ${link}, @nobody, @carol@elsewhere.example, @blocked_one, @mention_blocker, mail x@bob.org</p>`);
      const rows = await t.container.db.kysely.selectFrom("mentions").select("account_id").where("status_id", "=", BigInt(res.body.id)).execute();
      assert.deepEqual(rows.map((r) => String(r.account_id)), [bob.accountId]);
    });

    it("answers a post with the status as it reads back: mentions, tags, poll, and a muted thread's reply", async () => {
      const [author, friend] = await users(t, ["answer_author", "answer_friend"]);
      const first = expectStatus(await post(author, { status: "hi @answer_friend #Zeta #alpha", poll: { options: ["yes", "no"], expires_in: 3600 } }), 200).body;
      assert.deepEqual(first.mentions.map((m: any) => m.id), [friend.accountId]);
      assert.deepEqual(first.tags.map((tag: any) => tag.name), ["alpha", "Zeta"], "in the order the tags read back");
      assert.deepEqual(first.poll.options.map((o: any) => o.title), ["yes", "no"]);
      assert.equal(first.account.statuses_count, 1, "the author with the new count");
      for (const flag of ["favourited", "reblogged", "bookmarked", "pinned", "muted"]) assert.equal(first[flag], false, flag);
      const shown = expectStatus(await show(first.id, author), 200).body;
      assert.deepEqual(first, shown, "a read of it afterwards shows the same");

      expectStatus(await t.request("POST", `/api/v1/statuses/${first.id}/mute`, { token: author.token }), 200);
      const reply = expectStatus(await post(author, { status: "more", in_reply_to_id: first.id }), 200).body;
      assert.equal(reply.muted, true, "a reply in a muted conversation is shown muted");
      assert.equal(reply.in_reply_to_id, first.id);
    });

    it("answers the first status again for a repeated Idempotency-Key", async () => {
      const [idem, other] = await users(t, ["idem", "idem_other"]);
      const key = { "Idempotency-Key": "abc-123" };
      const first = expectStatus(await post(idem, { status: "once" }, key), 200);
      const again = expectStatus(await post(idem, { status: "once" }, key), 200);
      assert.equal(again.body.id, first.body.id);
      assert.equal((await account(idem.accountId)).statuses_count, 1);
      const theirs = expectStatus(await post(other, { status: "once" }, key), 200);
      assert.notEqual(theirs.body.id, first.body.id, "keys are per account");
      expectStatus(await post(idem, { status: "" }, { "Idempotency-Key": "bad" }), 422);
      expectStatus(await post(idem, { status: "now fine" }, { "Idempotency-Key": "bad" }), 200, undefined);
    });

    it("replies, counting public replies on the parent, and deletes returning the source", async () => {
      const [op, replier, outsider] = await users(t, ["op", "replier", "outsider"]);
      const parent = expectStatus(await post(op, { status: "parent" }), 200).body;
      const reply = expectStatus(await post(replier, { status: "reply", in_reply_to_id: parent.id }), 200).body;
      assert.equal(reply.in_reply_to_id, parent.id);
      assert.equal(reply.in_reply_to_account_id, op.accountId);
      expectStatus(await post(replier, { status: "quiet", in_reply_to_id: parent.id, visibility: "private" }), 200);
      assert.equal((await show(parent.id)).body.replies_count, 1, "followers-only replies are not counted, as Mastodon");
      const hidden = expectStatus(await post(op, { status: "followers only", visibility: "private" }), 200).body;
      expectStatus(await post(outsider, { status: "sneaky", in_reply_to_id: hidden.id }), 404, "Record not found");

      const deleted = expectStatus(await t.request("DELETE", `/api/v1/statuses/${reply.id}`, { token: replier.token }), 200);
      assertEntity("Status", deleted.body);
      assertResponse("DELETE", `/api/v1/statuses/${reply.id}`, 200, deleted.body);
      assert.equal(deleted.body.text, "reply");
      assert.equal(deleted.body.spoiler_text, "");
      assert.equal((await show(parent.id)).body.replies_count, 0);
      assert.equal((await account(replier.accountId)).statuses_count, 1);
      expectStatus(await show(reply.id), 404, "Record not found");
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${reply.id}`, { token: replier.token }), 404, "Record not found");
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${parent.id}`, { token: outsider.token }), 404, "Record not found");
      expectStatus(await show(parent.id), 200);
    });

    it("shows each status only to whom the visibility policy allows, by id and on the profile", async () => {
      const [author, stranger, follower, mentioned, blocked, blocker] = await users(t, ["vis_author", "vis_stranger", "vis_follower", "vis_mentioned", "vis_blocked", "vis_blocker"]);
      await insertFollow(t, follower.accountId, author.accountId);
      await insertFollow(t, blocked.accountId, author.accountId);
      const ids: Record<string, string> = {};
      for (const visibility of ["public", "unlisted", "private", "direct"])
        ids[visibility] = expectStatus(await post(author, { status: `${visibility} @vis_mentioned`, visibility: visibility === "private" ? "private" : visibility }), 200).body.id;
      ids.private_plain = expectStatus(await post(author, { status: "followers only", visibility: "private" }), 200).body.id;
      await t.request("POST", `/api/v1/accounts/${blocked.accountId}/block`, { token: author.token });
      await t.request("POST", `/api/v1/accounts/${author.accountId}/block`, { token: blocker.token });
      const everything = ["public", "unlisted", "private", "direct", "private_plain"];
      const table: [string, User | undefined, string[]][] = [
        ["anonymous", undefined, ["public", "unlisted"]],
        ["author", author, everything],
        ["stranger", stranger, ["public", "unlisted"]],
        ["follower", follower, ["public", "unlisted", "private", "private_plain"]],
        ["mentioned", mentioned, ["public", "unlisted", "private", "direct"]],
        ["blocked by the author", blocked, []],
        ["blocking the author", blocker, ["public", "unlisted"]],
      ];
      for (const [name, viewer, visible] of table) {
        for (const key of everything) {
          const res = await show(ids[key], viewer);
          if (visible.includes(key)) {
            expectStatus(res, 200);
            assertEntity("Status", res.body);
            assertResponse("GET", `/api/v1/statuses/${ids[key]}`, 200, res.body);
          } else expectStatus(res, 404, "Record not found");
        }
        const listed = (await listOf(author, viewer)).body.map((s: { id: string }) => s.id).sort();
        assert.deepEqual(listed, visible.map((k) => ids[k]).sort(), `${name}: the profile lists what GET shows`);
      }
      const readOnly = await t.user("vis_reader", { scopes: "read:accounts" });
      expectStatus(await show(ids.public, readOnly), 403);
      await suspend(t, author.accountId);
      assert.deepEqual((await listOf(author)).body, []);
      expectStatus(await show(ids.public), 404);
    });

    it("pages an account's statuses with Link headers and filters replies", async () => {
      const [pager, other] = await users(t, ["pager", "pager_other"]);
      const theirs = expectStatus(await post(other, { status: "theirs" }), 200).body;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(expectStatus(await post(pager, { status: `post ${i}` }), 200).body.id);
      const selfReply = expectStatus(await post(pager, { status: "thread", in_reply_to_id: ids[4] }), 200).body.id;
      const otherReply = expectStatus(await post(pager, { status: "answer", in_reply_to_id: theirs.id }), 200).body.id;
      const newestFirst = [otherReply, selfReply, ...ids.slice().reverse()];

      const first = await listOf(pager, undefined, "?limit=3");
      assert.deepEqual(first.body.map((s: { id: string }) => s.id), newestFirst.slice(0, 3));
      const links = pageLinks(first.headers.get("link"))!;
      assert.equal(links.next!.searchParams.get("max_id"), newestFirst[2]);
      assert.equal(links.next!.searchParams.get("limit"), "3");
      const second = await listOf(pager, undefined, relative(links.next!).replace(/^[^?]*/, ""));
      assert.deepEqual(second.body.map((s: { id: string }) => s.id), newestFirst.slice(3, 6));
      const back = await listOf(pager, undefined, `?limit=2&min_id=${newestFirst[5]}`);
      assert.deepEqual(back.body.map((s: { id: string }) => s.id), newestFirst.slice(3, 5), "min_id pages forward from a point");
      const since = await listOf(pager, undefined, `?limit=2&since_id=${newestFirst[5]}`);
      assert.deepEqual(since.body.map((s: { id: string }) => s.id), newestFirst.slice(0, 2), "since_id gives the newest");
      assert.equal((await listOf(pager, undefined, "?limit=100")).body.length, 7);
      assert.equal(pageLinks((await listOf(pager, undefined, `?max_id=${ids[0]}`)).headers.get("link")), null);

      const noReplies = await listOf(pager, undefined, "?exclude_replies=true");
      assert.deepEqual(noReplies.body.map((s: { id: string }) => s.id), [selfReply, ...ids.slice().reverse()], "threads stay, replies to others go");
      assert.deepEqual((await listOf(pager, undefined, "?only_media=true")).body, []);
      assert.equal((await listOf(pager, undefined, "?exclude_reblogs=1&tagged=x")).body.length, 7);
    });

    it("pins at most five even when eight pin requests arrive at once", async () => {
      const [racer] = await users(t, ["pin_racer"]);
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(expectStatus(await post(racer, { status: `race ${i}` }), 200).body.id);
      const results = await Promise.all(ids.map((id) => t.request("POST", `/api/v1/statuses/${id}/pin`, { token: racer.token })));
      assert.equal(results.filter((r) => r.status === 200).length, 5);
      assert.equal(results.filter((r) => r.status === 422).length, 3);
      assert.equal((await listOf(racer, undefined, "?pinned=true")).body.length, 5);
    });

    it("pins up to five own statuses and lists them", async () => {
      const [pinner, someone] = await users(t, ["pinner", "pin_someone"]);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(expectStatus(await post(pinner, { status: `pin ${i}`, visibility: i === 5 ? "private" : "public" }), 200).body.id);
      const direct = expectStatus(await post(pinner, { status: "dm @pin_someone", visibility: "direct" }), 200).body.id;
      const theirs = expectStatus(await post(someone, { status: "not yours" }), 200).body.id;
      const pin = (id: string, as: User = pinner) => t.request("POST", `/api/v1/statuses/${id}/pin`, { token: as.token });
      for (const id of ids.slice(0, 5)) {
        const res = expectStatus(await pin(id), 200);
        assertEntity("Status", res.body);
        assert.equal(res.body.pinned, true);
      }
      expectStatus(await pin(ids[0]), 200, undefined);
      expectStatus(await pin(ids[5]), 422, "Validation failed: You have already pinned the maximum number of posts");
      expectStatus(await pin(direct), 422, /only visible to mentioned users/);
      expectStatus(await pin(theirs), 422, /Someone else's post/);
      expectStatus(await pin("424242"), 404, "Record not found");
      const readOnly = await t.user("pin_reader", { scopes: "read write:statuses" });
      expectStatus(await pin(theirs, readOnly), 403);

      const pinned = await listOf(pinner, undefined, "?pinned=true");
      assert.deepEqual(pinned.body.map((s: { id: string }) => s.id), ids.slice(0, 5).reverse());
      assert.equal(pinned.body[0].pinned, undefined, "anonymous viewers are not told");
      assert.equal((await show(ids[0], pinner)).body.pinned, true);
      assert.equal((await show(ids[0], someone)).body.pinned, undefined);
      const unpinned = expectStatus(await t.request("POST", `/api/v1/statuses/${ids[0]}/unpin`, { token: pinner.token }), 200);
      assert.equal(unpinned.body.pinned, false);
      expectStatus(await pin(ids[5]), 200);
      await t.request("DELETE", `/api/v1/statuses/${ids[1]}`, { token: pinner.token });
      assert.equal((await listOf(pinner, pinner, "?pinned=true")).body.length, 4, "deleted statuses drop out, the private one shows to its author");
      assert.equal((await listOf(pinner, undefined, "?pinned=true")).body.length, 3, "anonymous viewers do not see the private one");
    });

    it("requires write:statuses and an active user to post", async () => {
      const reader = await t.user("status_reader", { scopes: "read" });
      expectStatus(await post(reader, { status: "nope" }), 403, "This action is outside the authorized scopes");
      expectStatus(await t.request("POST", "/api/v1/statuses", { json: { status: "anonymous" } }), 401);
      await unconfirmedAccount(t, "status_unconfirmed");
      const token = await createAccessToken(t.container.jobDeps, "status_unconfirmed", "read write");
      assert.ok(token.ok);
      const res = await t.request("POST", "/api/v1/statuses", { token: token.value.token, json: { status: "too early" } });
      expectStatus(res, 403, /confirm/i);
    });
  });

  describe(`status length limit from MAX_TOOT_CHARS (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name, { MAX_TOOT_CHARS: "20" });
    });
    after(() => t?.close());

    it("refuses a longer status, posting, editing and scheduling, and accepts one at the limit", async () => {
      const [writer] = await users(t, ["short_writer"]);
      const post = (json: Record<string, unknown>) => t.request("POST", "/api/v1/statuses", { token: writer.token, json });
      expectStatus(await post({ status: "a".repeat(21) }), 422, "Validation failed: Text character limit of 20 exceeded");
      expectStatus(await post({ status: "a".repeat(10), spoiler_text: "b".repeat(11) }), 422, "Validation failed: Text character limit of 20 exceeded");
      const later = new Date(Date.now() + 3_600_000).toISOString();
      expectStatus(await post({ status: "a".repeat(21), scheduled_at: later }), 422, "Validation failed: Text character limit of 20 exceeded");
      const ok = expectStatus(await post({ status: "a".repeat(20) }), 200);
      assertEntity("Status", ok.body);
      assert.equal(ok.body.content, `<p>${"a".repeat(20)}</p>`);
      const edit = (status: string) => t.request("PUT", `/api/v1/statuses/${ok.body.id}`, { token: writer.token, json: { status } });
      expectStatus(await edit("b".repeat(21)), 422, "Validation failed: Text character limit of 20 exceeded");
      assert.equal(expectStatus(await edit("b".repeat(20)), 200).body.content, `<p>${"b".repeat(20)}</p>`);
    });

    it("reports the limit in both instance entities", async () => {
      const v2 = expectStatus(await t.request("GET", "/api/v2/instance"), 200);
      assertEntity("Instance", v2.body);
      assert.equal(v2.body.configuration.statuses.max_characters, 20);
      const v1 = expectStatus(await t.request("GET", "/api/v1/instance"), 200);
      assertResponse("GET", "/api/v1/instance", 200, v1.body);
      assert.equal(v1.body.configuration.statuses.max_characters, 20);
    });
  });
}
