import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { statusDeps } from "../../src/services/federation/deps.ts";
import { receiveStatus } from "../../src/services/federation/inbound-statuses.ts";
import { publishScheduledStatus } from "../../src/services/scheduled/publish.ts";
import { expectStatus, insertFollow, remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";
import { spyOnFederation } from "./federate-spy.ts";

for (const v of appVariants) {
  describe(`outbound federation events (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let spy: ReturnType<typeof spyOnFederation>;
    before(async () => {
      t = await startTestApp(v.name);
      spy = spyOnFederation(t.container.db);
    });
    after(() => t?.close());

    const local = (name: string) => t.user(uniqueName(name));
    const remote = async (name: string) => BigInt(await remoteAccount(t, uniqueName(name), "remote.example"));
    const call = async (method: string, path: string, token: string, form?: Record<string, string | string[]>) =>
      expectStatus(await t.request(method, path, { token, form }), 200).body;
    /** The events of what ran since the last call. */
    const events = () => spy.take();
    const remoteNote = async (authorId: bigint, extra: Record<string, unknown> = {}) =>
      (await receiveStatus(t.container.jobDeps, {
        authorId, uri: `https://remote.example/notes/${uniqueName("n")}`, url: null, html: "<p>remote</p>", spoilerText: "", visibility: "public",
        sensitive: false, language: null, inReplyToId: null, mentionIds: [], tags: [], media: [], poll: null, createdAt: Date.now(), editedAt: null,
        conversationUri: null, ...extra,
      }))!.statusId;

    it("federates posts, edits and deletes of an author with remote followers", async () => {
      const alice = await local("alice");
      await insertFollow(t, String(await remote("fan")), alice.accountId);
      events();
      const post = await call("POST", "/api/v1/statuses", alice.token, { status: "hello fediverse" });
      assert.deepEqual(events(), [{ type: "create", statusId: post.id }]);
      await call("PUT", `/api/v1/statuses/${post.id}`, alice.token, { status: "hello again" });
      assert.deepEqual(events(), [{ type: "update", statusId: post.id }]);
      await call("PUT", `/api/v1/statuses/${post.id}`, alice.token, { status: "hello again" });
      assert.deepEqual(events(), [], "an edit that changes nothing sends nothing");
      await call("DELETE", `/api/v1/statuses/${post.id}`, alice.token);
      assert.deepEqual(events(), [{ type: "delete", statusId: post.id }]);
      await call("POST", "/api/v1/statuses", alice.token, { status: "just us", visibility: "direct" });
      assert.deepEqual(events(), [], "a direct status mentioning nobody remote reaches no remote follower");
      await call("POST", "/api/v1/statuses", alice.token, { status: "followers", visibility: "private" });
      assert.equal(events()[0]?.type, "create", "a followers-only status goes to the remote followers");
    });

    it("federates a scheduled status when it is published, not when it is scheduled", async () => {
      const ian = await local("ian");
      await insertFollow(t, String(await remote("reader")), ian.accountId);
      events();
      const at = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = await call("POST", "/api/v1/statuses", ian.token, { status: "later", scheduled_at: at });
      assert.deepEqual(events(), []);
      await t.container.db.kysely.updateTable("scheduled_statuses").set({ scheduled_at: Date.now() - 1 }).where("id", "=", BigInt(scheduled.id)).execute();
      assert.equal(await publishScheduledStatus(statusDeps(t.container.jobDeps), BigInt(scheduled.id)), "published");
      const published = events();
      assert.equal(published.length, 1);
      assert.equal(published[0].type, "create");
      const statuses = await call("GET", `/api/v1/accounts/${ian.accountId}/statuses`, ian.token);
      assert.equal((published[0] as { statusId: string }).statusId, statuses[0].id);
    });

    it("sends nothing for local-only actions", async () => {
      const bob = await local("bob");
      const cat = await local("cat");
      events();
      const post = await call("POST", "/api/v1/statuses", bob.token, { status: "hi there" });
      await call("PUT", `/api/v1/statuses/${post.id}`, bob.token, { status: "edited" });
      await call("POST", `/api/v1/statuses/${post.id}/favourite`, cat.token);
      await call("POST", `/api/v1/statuses/${post.id}/unfavourite`, cat.token);
      await call("POST", `/api/v1/statuses/${post.id}/reblog`, cat.token);
      await call("POST", `/api/v1/statuses/${post.id}/unreblog`, cat.token);
      await call("POST", `/api/v1/accounts/${cat.accountId}/follow`, bob.token);
      await call("POST", `/api/v1/accounts/${cat.accountId}/unfollow`, bob.token);
      await call("POST", `/api/v1/accounts/${cat.accountId}/block`, bob.token);
      await call("POST", `/api/v1/accounts/${cat.accountId}/unblock`, bob.token);
      await call("DELETE", `/api/v1/statuses/${post.id}`, bob.token);
      assert.deepEqual(events(), []);
    });

    it("federates a reply to a remote status even without remote followers", async () => {
      const dee = await local("dee");
      const author = await remote("author");
      const parent = await remoteNote(author);
      events();
      const reply = await call("POST", "/api/v1/statuses", dee.token, { status: "a reply", in_reply_to_id: String(parent) });
      assert.deepEqual(events(), [{ type: "create", statusId: reply.id }]);
    });

    it("federates likes and boosts of remote statuses, and their undoing", async () => {
      const eve = await local("eve");
      const author = await remote("poster");
      const statusId = String(await remoteNote(author));
      events();
      await call("POST", `/api/v1/statuses/${statusId}/favourite`, eve.token);
      await call("POST", `/api/v1/statuses/${statusId}/favourite`, eve.token);
      assert.deepEqual(events(), [{ type: "like", accountId: eve.accountId, statusId }], "once");
      await call("POST", `/api/v1/statuses/${statusId}/unfavourite`, eve.token);
      assert.deepEqual(events(), [{ type: "undo-like", accountId: eve.accountId, statusId }]);
      const boost = await call("POST", `/api/v1/statuses/${statusId}/reblog`, eve.token);
      assert.deepEqual(events(), [{ type: "announce", statusId: boost.id }]);
      await call("POST", `/api/v1/statuses/${statusId}/unreblog`, eve.token);
      assert.deepEqual(events(), [{ type: "undo-announce", statusId: boost.id, accountId: eve.accountId, reblogOfId: statusId }]);
      const again = await call("POST", `/api/v1/statuses/${statusId}/reblog`, eve.token);
      events();
      await call("DELETE", `/api/v1/statuses/${again.id}`, eve.token);
      assert.deepEqual(events(), [{ type: "undo-announce", statusId: again.id, accountId: eve.accountId, reblogOfId: statusId }], "deleting the boost undoes it");
    });

    it("federates follows, withdrawals, rejections, removals and blocks of remote accounts", async () => {
      const fay = await local("fay");
      const target = String(await remote("target"));
      events();
      await call("POST", `/api/v1/accounts/${target}/follow`, fay.token);
      assert.deepEqual(events(), [{ type: "follow", accountId: fay.accountId, targetAccountId: target }]);
      await call("POST", `/api/v1/accounts/${target}/unfollow`, fay.token);
      assert.deepEqual(events(), [{ type: "undo-follow", accountId: fay.accountId, targetAccountId: target }], "a withdrawn request");

      const follower = String(await remote("follower"));
      await insertFollow(t, follower, fay.accountId);
      events();
      await call("POST", `/api/v1/accounts/${follower}/remove_from_followers`, fay.token);
      assert.deepEqual(events(), [{ type: "reject-follow", accountId: follower, targetAccountId: fay.accountId, followUri: null }]);

      const gus = await local("gus");
      await call("PATCH", "/api/v1/accounts/update_credentials", gus.token, { locked: "true" });
      const asker = await remote("asker");
      await t.container.db.transaction(async (tx) => {
        await tx.relationships.requestFollow({ id: await tx.nextId(), accountId: asker, targetAccountId: BigInt(gus.accountId), showReblogs: true, notify: false, languages: null, now: Date.now(), uri: "https://remote.example/follows/9" });
      });
      events();
      await call("POST", `/api/v1/follow_requests/${asker}/reject`, gus.token);
      assert.deepEqual(events(), [{ type: "reject-follow", accountId: String(asker), targetAccountId: gus.accountId, followUri: "https://remote.example/follows/9" }]);

      await call("POST", `/api/v1/accounts/${target}/block`, fay.token);
      assert.deepEqual(events(), [{ type: "block", accountId: fay.accountId, targetAccountId: target }]);
      await call("POST", `/api/v1/accounts/${target}/block`, fay.token);
      assert.deepEqual(events(), [], "blocking again sends nothing");
      await call("POST", `/api/v1/accounts/${target}/unblock`, fay.token);
      assert.deepEqual(events(), [{ type: "undo-block", accountId: fay.accountId, targetAccountId: target }]);
    });

    it("federates profile updates and votes in remote polls", async () => {
      const hal = await local("hal");
      events();
      await call("PATCH", "/api/v1/accounts/update_credentials", hal.token, { display_name: "Hal 9000" });
      assert.deepEqual(events(), [{ type: "update-actor", accountId: hal.accountId }]);
      await call("PATCH", "/api/v1/accounts/update_credentials", hal.token, { "source[privacy]": "unlisted" });
      assert.deepEqual(events(), [], "a preference is not part of the actor");

      const pollster = await remote("pollster");
      const statusId = await remoteNote(pollster, {
        poll: { options: [{ title: "a", votesCount: 0 }, { title: "b", votesCount: 2 }], multiple: true, expiresAt: Date.now() + 3_600_000, votersCount: 2 },
      });
      const poll = (await call("GET", `/api/v1/statuses/${statusId}`, hal.token)).poll;
      events();
      const voted = await call("POST", `/api/v1/polls/${poll.id}/votes`, hal.token, { "choices[]": ["0", "1"] });
      assert.deepEqual(voted.own_votes, [0, 1]);
      assert.deepEqual(events(), [{ type: "vote", accountId: hal.accountId, pollId: poll.id, choices: [0, 1] }]);

      const own = await call("POST", "/api/v1/statuses", hal.token, { status: "my poll", "poll[options][]": ["x", "y"], "poll[expires_in]": "3600" });
      const voter = await local("voter");
      events();
      await call("POST", `/api/v1/polls/${own.poll.id}/votes`, voter.token, { "choices[]": ["0"] });
      assert.deepEqual(events(), [], "a vote in a local poll stays here");
    });
  });
}
