import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRestAPIClient, type mastodon } from "masto";
import megalodon from "megalodon";
import { listen, type RunningServer } from "../../src/app/http-server.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

// megalodon is CommonJS: under Node's ESM loader its default export arrives as `.default`.
const generator = megalodon.default;

/**
 * The everyday flow of issue 4 with real client libraries over HTTP: two people follow each other, post, reply,
 * boost, favourite, run and vote in a poll, filter a word, search, and read each other's home timelines and
 * notifications. Alice uses masto.js, Bob megalodon.
 */
for (const v of appVariants) {
  describe(`statuses, timelines and notifications with masto.js and megalodon (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let server: RunningServer;
    let url: string;

    before(async () => {
      t = await startTestApp(v.name);
      server = await listen(t.app, "127.0.0.1", 0);
      url = `http://127.0.0.1:${server.port}`;
    });
    after(async () => {
      await server?.close(2_000);
      await t?.close();
    });

    it("posts, replies, boosts, favourites, polls, filters, searches and reads timelines and notifications", async () => {
      const alice = await t.user("alice");
      const bob = await t.user("bob");
      const masto: mastodon.rest.Client = createRestAPIClient({ url, accessToken: alice.token });
      const meg = generator("mastodon", url, bob.token);

      await masto.v1.accounts.$select(bob.accountId).follow();
      await meg.followAccount(alice.accountId);

      const hello = await masto.v1.statuses.create({ status: "Hello #herd friends, who likes sourdough?", visibility: "public" });
      assert.equal(hello.account.id, alice.accountId);
      assert.deepEqual(hello.tags.map((tag) => tag.name), ["herd"]);

      const reply = (await meg.postStatus(`@alice I do, with #herd butter`, { in_reply_to_id: hello.id })).data as any;
      assert.equal(reply.in_reply_to_id, hello.id);
      assert.deepEqual(reply.mentions.map((m: any) => m.id), [alice.accountId]);

      const boosted = (await meg.reblogStatus(hello.id)).data;
      assert.equal(boosted.reblog?.id, hello.id);
      const faved = (await meg.favouriteStatus(hello.id)).data;
      assert.equal(faved.favourited, true);
      assert.equal(faved.favourites_count, 1);
      await masto.v1.statuses.$select(reply.id).favourite();

      const poll = await masto.v1.statuses.create({ status: "Bread or cake?", poll: { options: ["bread", "cake"], expiresIn: 3600 } });
      assert.ok(poll.poll, "the status carries its poll");
      await t.drain();
      // megalodon's Poll type predates own_votes; the JSON has it.
      const voted = (await meg.votePoll(poll.poll!.id, [0])).data as any;
      assert.equal(voted.voted, true);
      assert.deepEqual(voted.own_votes, [0]);
      assert.equal(voted.votes_count, 1);

      // Both home timelines show what the other wrote (after fan-out).
      await t.drain();
      const aliceHome = await masto.v1.timelines.home.list({ limit: 40 });
      const aliceIds = aliceHome.map((s) => s.id);
      assert.ok(aliceIds.includes(reply.id), "Bob's reply is on Alice's home timeline");
      assert.ok(aliceIds.includes(poll.id), "her own poll is on her home timeline");
      const bobHome = (await meg.getHomeTimeline({ limit: 40 })).data;
      assert.ok(bobHome.some((s) => s.id === hello.id), "Alice's post is on Bob's home timeline");
      assert.ok(bobHome.some((s) => s.id === boosted.id && s.reblog?.id === hello.id), "his boost is on his home timeline");
      const bobsHello = bobHome.find((s) => s.id === hello.id)!;
      assert.equal(bobsHello.favourited, true);
      assert.equal(bobsHello.reblogged, true);

      // Alice was mentioned, boosted, favourited and followed; Bob's reply was favourited.
      const aliceNotes = await masto.v1.notifications.list({ limit: 40 });
      const types = new Set(aliceNotes.map((n) => n.type));
      for (const type of ["mention", "reblog", "favourite", "follow"]) assert.ok(types.has(type as never), `Alice has a ${type} notification`);
      assert.equal(aliceNotes.find((n) => n.type === "mention")!.status!.id, reply.id);
      const bobNotes = (await meg.getNotifications()).data;
      assert.ok(bobNotes.some((n) => n.type === "favourite" && n.status?.id === reply.id));
      const grouped = await masto.v2.notifications.list({ groupedTypes: ["favourite", "reblog", "follow"] });
      assert.ok(grouped.notificationGroups.length > 0);

      const context = await masto.v1.statuses.$select(hello.id).context.fetch();
      assert.deepEqual(context.descendants.map((s) => s.id), [reply.id]);

      // Alice filters "butter" with a warning: Bob's reply comes back marked, not hidden.
      await masto.v2.filters.create({ title: "dairy", context: ["home"], filterAction: "warn", keywordsAttributes: [{ keyword: "butter" }] });
      const filteredHome = await masto.v1.timelines.home.list({ limit: 40 });
      const filteredReply = filteredHome.find((s) => s.id === reply.id);
      assert.ok(filteredReply, "a warn filter keeps the status");
      assert.equal(filteredReply.filtered?.[0]?.filter.title, "dairy");
      assert.deepEqual(filteredReply.filtered?.[0]?.keywordMatches, ["butter"]);

      // Full-text search finds Alice's post for Bob; hashtag search finds the tag.
      await t.drain();
      const found = (await meg.search("sourdough", { type: "statuses" })).data;
      assert.deepEqual(found.statuses.map((s) => s.id), [hello.id]);
      const tags = await masto.v2.search.list({ q: "#herd", type: "hashtags" });
      assert.equal(tags.hashtags[0]?.name, "herd");

      // Deleting the post takes it out of Bob's home timeline and of search.
      await masto.v1.statuses.$select(hello.id).remove();
      await t.drain();
      const after = (await meg.getHomeTimeline({ limit: 40 })).data;
      assert.ok(!after.some((s) => s.id === hello.id || s.reblog?.id === hello.id), "the deleted status and its boost are gone");
      assert.deepEqual((await meg.search("sourdough", { type: "statuses" })).data.statuses, []);
    });
  });
}
