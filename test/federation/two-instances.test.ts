import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { appVariants } from "../support/test-app.ts";
import { drainBoth, eventually, startFederatedInstance, type FederatedInstance } from "../support/federation-pair.ts";
import { assertEntity } from "../support/openapi.ts";
import { solidImage, uploadForm } from "../support/media-fixtures.ts";
import { moveAccount, setAccountAlias } from "../../src/services/accounts/migration.ts";

/**
 * Two Herd instances on loopback federating through the real HTTP path: WebFinger, signed deliveries to inboxes,
 * fetches of actors and objects. Every effect is checked through the other instance's Mastodon client API.
 */
for (const v of appVariants) {
  describe(`two instances federate (${v.name})`, { skip: v.skip }, () => {
    let a: FederatedInstance;
    let b: FederatedInstance;
    let alice: { accountId: string; token: string };
    let bob: { accountId: string; token: string };
    let carol: { accountId: string; token: string };
    /** Alice and Carol as instance B knows them. */
    let aliceOnB: string;
    let carolOnB: string;

    before(async () => {
      [a, b] = await Promise.all([startFederatedInstance(v.name), startFederatedInstance(v.name)]);
      alice = await a.user("alice");
      carol = await a.user("carol");
      bob = await b.user("bob");
    });
    after(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    const settle = () => drainBoth(a, b);

    async function homeOf(t: FederatedInstance, token: string): Promise<any[]> {
      const res = await t.request("GET", "/api/v1/timelines/home?limit=40", { token });
      assert.equal(res.status, 200, res.text);
      return res.body;
    }

    it("finds a remote account by its handle through WebFinger", async () => {
      const res = await b.request("GET", `/api/v2/search?q=${encodeURIComponent(`@alice@${a.domain}`)}&resolve=true&type=accounts`, { token: bob.token });
      assert.equal(res.status, 200, res.text);
      const found = res.body.accounts.find((x: any) => x.acct === `alice@${a.domain}`);
      assert.ok(found, JSON.stringify(res.body));
      assertEntity("Account", found);
      assert.equal(found.url, `${a.baseUrl}/@alice`);
      aliceOnB = found.id;
    });

    it("follows a remote account: the Follow is accepted and the follow shows on both sides", async () => {
      const res = await b.request("POST", `/api/v1/accounts/${aliceOnB}/follow`, { token: bob.token });
      assert.equal(res.status, 200, res.text);
      await settle();
      const rel = await eventually(async () => {
        const r = await b.request("GET", `/api/v1/accounts/relationships?id[]=${aliceOnB}`, { token: bob.token });
        return r.body[0]?.following ? r.body[0] : undefined;
      }, "bob following alice");
      assert.equal(rel.requested, false);
      const followers = await a.request("GET", `/api/v1/accounts/${alice.accountId}/followers`, { token: alice.token });
      assert.ok(followers.body.some((x: any) => x.acct === `bob@${b.domain}`), followers.text);
      const notes = await a.request("GET", "/api/v1/notifications?types[]=follow", { token: alice.token });
      assert.ok(notes.body.some((n: any) => n.type === "follow" && n.account.acct === `bob@${b.domain}`), notes.text);
    });

    let alicePost: { id: string; uri: string };
    let alicePostOnB: string;

    it("delivers a post with a mention, a hashtag and a content warning to the follower's home timeline", async () => {
      const upload = await a.request("POST", "/api/v2/media", {
        token: alice.token,
        form: uploadForm({ file: { data: await solidImage("png", 64, 48), name: "square.png", type: "image/png" }, description: "a grey square" }),
      });
      assert.equal(upload.status, 200, upload.text);
      const res = await a.request("POST", "/api/v1/statuses", {
        token: alice.token,
        json: { status: `Hello @bob@${b.domain}, this is #federation`, spoiler_text: "greetings", visibility: "public", media_ids: [upload.body.id] },
      });
      assert.equal(res.status, 200, res.text);
      alicePost = { id: res.body.id, uri: res.body.uri };
      await settle();
      const status = await eventually(async () => (await homeOf(b, bob.token)).find((s) => s.uri === alicePost.uri), "alice's post on B");
      assertEntity("Status", status);
      assert.equal(status.spoiler_text, "greetings");
      assert.equal(status.account.acct, `alice@${a.domain}`);
      assert.match(status.content, /federation/);
      assert.ok(status.tags.some((t: any) => t.name === "federation"));
      assert.ok(status.mentions.some((m: any) => m.acct === "bob"), JSON.stringify(status.mentions));
      assert.equal(status.media_attachments.length, 1, JSON.stringify(status.media_attachments));
      assert.equal(status.media_attachments[0].type, "image");
      assert.equal(status.media_attachments[0].description, "a grey square");
      assert.ok(status.media_attachments[0].remote_url.startsWith(a.baseUrl), status.media_attachments[0].remote_url);
      alicePostOnB = status.id;
      const notes = await b.request("GET", "/api/v1/notifications?types[]=mention", { token: bob.token });
      assert.ok(notes.body.some((n: any) => n.status?.uri === alicePost.uri), notes.text);
    });

    it("delivers a reply, a favourite and a boost back to the author", async () => {
      const reply = await b.request("POST", "/api/v1/statuses", {
        token: bob.token,
        json: { status: `@alice@${a.domain} hi back`, in_reply_to_id: alicePostOnB },
      });
      assert.equal(reply.status, 200, reply.text);
      assert.equal((await b.request("POST", `/api/v1/statuses/${alicePostOnB}/favourite`, { token: bob.token })).status, 200);
      assert.equal((await b.request("POST", `/api/v1/statuses/${alicePostOnB}/reblog`, { token: bob.token })).status, 200);
      await settle();
      const counted = await eventually(async () => {
        const s = await a.request("GET", `/api/v1/statuses/${alicePost.id}`, { token: alice.token });
        return s.body.favourites_count === 1 && s.body.reblogs_count === 1 && s.body.replies_count === 1 ? s.body : undefined;
      }, "favourite, boost and reply counted on A");
      assertEntity("Status", counted);
      const notes = await a.request("GET", "/api/v1/notifications", { token: alice.token });
      const types = new Set(notes.body.map((n: any) => n.type));
      for (const type of ["mention", "favourite", "reblog"]) assert.ok(types.has(type), `${type} in ${[...types].join(",")}`);
      const context = await a.request("GET", `/api/v1/statuses/${alicePost.id}/context`, { token: alice.token });
      assert.ok(context.body.descendants.some((s: any) => s.account.acct === `bob@${b.domain}`), context.text);
    });

    it("delivers an edit, then a delete", async () => {
      const edit = await a.request("PUT", `/api/v1/statuses/${alicePost.id}`, { token: alice.token, json: { status: "Edited #federation", spoiler_text: "greetings" } });
      assert.equal(edit.status, 200, edit.text);
      await settle();
      await eventually(async () => {
        const s = await b.request("GET", `/api/v1/statuses/${alicePostOnB}`, { token: bob.token });
        return s.status === 200 && /Edited/.test(s.body.content) && s.body.edited_at ? s.body : undefined;
      }, "the edit on B");
      assert.equal((await a.request("DELETE", `/api/v1/statuses/${alicePost.id}`, { token: alice.token })).status, 200);
      await settle();
      await eventually(async () => ((await b.request("GET", `/api/v1/statuses/${alicePostOnB}`, { token: bob.token })).status === 404 ? true : undefined), "the delete on B");
      assert.ok(!(await homeOf(b, bob.token)).some((s) => s.uri === alicePost.uri));
    });

    it("asks a locked account, which accepts by hand", async () => {
      assert.equal((await a.request("PATCH", "/api/v1/accounts/update_credentials", { token: carol.token, json: { locked: true } })).status, 200);
      const search = await b.request("GET", `/api/v2/search?q=${encodeURIComponent(`carol@${a.domain}`)}&resolve=true&type=accounts`, { token: bob.token });
      carolOnB = search.body.accounts[0]?.id;
      assert.ok(carolOnB, search.text);
      await b.request("POST", `/api/v1/accounts/${carolOnB}/follow`, { token: bob.token });
      await settle();
      const requests = await eventually(async () => {
        const r = await a.request("GET", "/api/v1/follow_requests", { token: carol.token });
        return r.body.length > 0 ? r.body : undefined;
      }, "the follow request on A");
      assert.equal(requests[0].acct, `bob@${b.domain}`);
      const pending = await b.request("GET", `/api/v1/accounts/relationships?id[]=${carolOnB}`, { token: bob.token });
      assert.equal(pending.body[0].requested, true);
      assert.equal((await a.request("POST", `/api/v1/follow_requests/${requests[0].id}/authorize`, { token: carol.token })).status, 200);
      await settle();
      await eventually(async () => {
        const r = await b.request("GET", `/api/v1/accounts/relationships?id[]=${carolOnB}`, { token: bob.token });
        return r.body[0].following ? true : undefined;
      }, "bob following carol after the accept");
    });

    it("sends a profile update to followers", async () => {
      assert.equal((await a.request("PATCH", "/api/v1/accounts/update_credentials", { token: alice.token, json: { display_name: "Alice Updated", note: "new bio" } })).status, 200);
      await settle();
      await eventually(async () => {
        const r = await b.request("GET", `/api/v1/accounts/${aliceOnB}`, { token: bob.token });
        return r.body.display_name === "Alice Updated" && /new bio/.test(r.body.note) ? true : undefined;
      }, "the profile update on B");
    });

    it("delivers a poll and a remote vote", async () => {
      const poll = await a.request("POST", "/api/v1/statuses", {
        token: alice.token,
        json: { status: "Tea or coffee?", poll: { options: ["tea", "coffee"], expires_in: 3600 } },
      });
      assert.equal(poll.status, 200, poll.text);
      await settle();
      const onB = await eventually(async () => (await homeOf(b, bob.token)).find((s) => s.uri === poll.body.uri), "the poll on B");
      assert.ok(onB.poll, JSON.stringify(onB));
      const vote = await b.request("POST", `/api/v1/polls/${onB.poll.id}/votes`, { token: bob.token, json: { choices: [1] } });
      assert.equal(vote.status, 200, vote.text);
      await settle();
      await eventually(async () => {
        const r = await a.request("GET", `/api/v1/polls/${poll.body.poll.id}`, { token: alice.token });
        return r.body.votes_count === 1 && r.body.options[1].votes_count === 1 ? true : undefined;
      }, "the vote on A");
    });

    it("finds a post nobody there follows by its URL (resolve=true), by id and by page URL", async () => {
      const dave = await a.user("dave");
      const post = await a.request("POST", "/api/v1/statuses", { token: dave.token, json: { status: "Only findable by link #obscure" } });
      assert.equal(post.status, 200, post.text);
      const erin = await a.user("erin");
      const reply = await a.request("POST", "/api/v1/statuses", { token: erin.token, json: { status: "@dave and a reply under it", in_reply_to_id: post.body.id } });
      assert.equal(reply.status, 200, reply.text);
      for (const link of [post.body.uri, post.body.url]) {
        const res = await b.request("GET", `/api/v2/search?q=${encodeURIComponent(link)}&resolve=true&type=statuses`, { token: bob.token });
        assert.equal(res.status, 200, res.text);
        assertEntity("Search", res.body);
        assert.equal(res.body.statuses.length, 1, `${link}: ${res.text}`);
        assert.equal(res.body.statuses[0].uri, post.body.uri);
        assert.equal(res.body.statuses[0].account.acct, `dave@${a.domain}`);
      }
      // The replies collection's first page is fetched too (by a job), so the thread shows what is under it.
      await settle();
      const onB = (await b.request("GET", `/api/v2/search?q=${encodeURIComponent(post.body.uri)}&resolve=true&type=statuses`, { token: bob.token })).body.statuses[0];
      await eventually(async () => {
        const context = await b.request("GET", `/api/v1/statuses/${onB.id}/context`, { token: bob.token });
        return context.body.descendants?.some((x: any) => x.uri === reply.body.uri) ? true : undefined;
      }, "the reply fetched below the post on B");
    });

    it("a block from the remote side removes the follow", async () => {
      const bobOnA = (await a.request("GET", `/api/v1/accounts/${alice.accountId}/followers`, { token: alice.token })).body.find((x: any) => x.acct === `bob@${b.domain}`);
      assert.ok(bobOnA);
      assert.equal((await b.request("POST", `/api/v1/accounts/${aliceOnB}/block`, { token: bob.token })).status, 200);
      await settle();
      await eventually(async () => {
        const r = await a.request("GET", `/api/v1/accounts/relationships?id[]=${bobOnA.id}`, { token: alice.token });
        return r.body[0].followed_by === false && r.body[0].blocked_by === true ? true : undefined;
      }, "the block on A");
    });

    it("moves an account: its followers on the other server follow the new account", async () => {
      const carol2 = await b.user("carol2");
      const oldOnB = await b.container.db.repos.accounts.findById(BigInt(carolOnB));
      assert.ok(oldOnB);
      assert.ok((await setAccountAlias(b.container.jobDeps, BigInt(carol2.accountId), oldOnB, true)).ok);
      const carol2OnA = await a.container.resolver.resolveAccount(`carol2@${b.domain}`);
      assert.ok(carol2OnA, "A resolves the new account");
      const moved = await moveAccount(a.container.jobDeps, BigInt(carol.accountId), carol2OnA);
      assert.ok(moved.ok, JSON.stringify(moved));
      await settle();
      await eventually(async () => {
        const r = await b.request("GET", `/api/v1/accounts/relationships?id[]=${carol2.accountId}&id[]=${carolOnB}`, { token: bob.token });
        const [toNew, toOld] = [r.body.find((x: any) => x.id === carol2.accountId), r.body.find((x: any) => x.id === carolOnB)];
        return toNew?.following && !toOld?.following ? true : undefined;
      }, "bob following carol2 instead of carol");
      const actor = await a.request("GET", `/users/carol`, { headers: { accept: "application/activity+json" } });
      assert.equal(actor.body.movedTo, `${b.baseUrl}/users/carol2`);
    });
  });
}
