import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { InboundDeps } from "../../src/services/federation/deps.ts";
import { receiveActorDeleted, receiveMove } from "../../src/services/federation/inbound-accounts.ts";
import { receiveAccept, receiveBlock, receiveFollow, receiveReject, receiveUndoBlock, receiveUndoFollow } from "../../src/services/federation/inbound-follows.ts";
import { receiveAnnounce, receiveFeatured, receiveLike, receiveUndoAnnounce, receiveUndoLike, receiveVote } from "../../src/services/federation/inbound-interactions.ts";
import { receiveFlag } from "../../src/services/federation/inbound-reports.ts";
import { receiveDeleteStatus, receiveStatus, receiveStatusUpdate, type RemoteStatusInput } from "../../src/services/federation/inbound-statuses.ts";
import { homeKey } from "../../src/services/timelines/deps.ts";
import { expectStatus, insertFollow, remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";
import { spyOnFederation } from "./federate-spy.ts";

for (const v of appVariants) {
  describe(`inbound federation services (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let deps: InboundDeps;
    let spy: ReturnType<typeof spyOnFederation>;
    before(async () => {
      t = await startTestApp(v.name);
      deps = t.container.jobDeps;
      spy = spyOnFederation(t.container.db);
    });
    after(() => t?.close());

    const local = (name: string) => t.user(uniqueName(name));
    const remote = async (name: string, domain = "remote.example") => {
      const username = uniqueName(name);
      const id = BigInt(await remoteAccount(t, username, domain));
      return { id, uri: `https://${domain}/users/${username}` };
    };
    const get = async (path: string, token?: string) => expectStatus(await t.request("GET", path, { token }), 200).body;
    const notifications = async (token: string, type: string) => ((await get(`/api/v1/notifications?types[]=${type}`, token)) as any[]);
    const relationship = async (token: string, id: bigint) => (await get(`/api/v1/accounts/relationships?id[]=${id}`, token))[0];
    let seq = 0;
    const note = (authorId: bigint, extra: Partial<RemoteStatusInput> = {}): RemoteStatusInput => {
      seq++;
      return {
        authorId, uri: `https://remote.example/notes/${uniqueName("n")}${seq}`, url: null, html: `<p>remote note ${seq}</p>`, spoilerText: "",
        visibility: "public", sensitive: false, language: "en", inReplyToId: null, mentionIds: [], tags: [], media: [], poll: null,
        createdAt: Date.now(), editedAt: null, conversationUri: null, ...extra,
      };
    };

    it("accepts a Follow of an unlocked account once, and sends the Accept again for a repeat", async () => {
      const alice = await local("alice");
      const bob = await remote("bob");
      const aliceId = BigInt(alice.accountId);
      spy.take();
      const followUri = `${bob.uri}#follows/1`;
      assert.equal(await receiveFollow(deps, { followerId: bob.id, targetId: aliceId, followUri }), "following");
      assert.deepEqual(spy.take(), [{ type: "accept-follow", accountId: String(bob.id), targetAccountId: alice.accountId, followUri }]);
      assert.equal(await receiveFollow(deps, { followerId: bob.id, targetId: aliceId, followUri }), "following");
      assert.equal(spy.take().length, 1, "the Accept is sent again");
      const followers = await get(`/api/v1/accounts/${alice.accountId}/followers`, alice.token);
      assert.deepEqual(followers.map((a: any) => a.id), [String(bob.id)]);
      assert.equal((await get(`/api/v1/accounts/${alice.accountId}`)).followers_count, 1, "counted once");
      const follows = await notifications(alice.token, "follow");
      assert.equal(follows.length, 1);
      assert.equal(follows[0].account.id, String(bob.id));
      assert.equal((await relationship(alice.token, bob.id)).followed_by, true);

      assert.equal(await receiveUndoFollow(deps, { followerId: bob.id, targetId: aliceId }), true);
      assert.equal(await receiveUndoFollow(deps, { followerId: bob.id, targetId: aliceId }), false, "a repeated Undo changes nothing");
      assert.equal((await get(`/api/v1/accounts/${alice.accountId}`)).followers_count, 0);
      assert.equal((await notifications(alice.token, "follow")).length, 0, "the notification goes with the follow");
    });

    it("makes a Follow of a locked account a request, which the account accepts with the Follow's id", async () => {
      const carol = await local("carol");
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: carol.token, form: { locked: "true" } }), 200);
      const dan = await remote("dan");
      spy.take();
      const followUri = `${dan.uri}#follows/2`;
      assert.equal(await receiveFollow(deps, { followerId: dan.id, targetId: BigInt(carol.accountId), followUri }), "requested");
      assert.equal(await receiveFollow(deps, { followerId: dan.id, targetId: BigInt(carol.accountId), followUri }), "requested");
      assert.deepEqual(spy.take(), [], "nothing is sent until the account decides");
      const requests = await get("/api/v1/follow_requests", carol.token);
      assert.deepEqual(requests.map((a: any) => a.id), [String(dan.id)]);
      assert.equal((await notifications(carol.token, "follow_request")).length, 1);
      expectStatus(await t.request("POST", `/api/v1/follow_requests/${dan.id}/authorize`, { token: carol.token }), 200);
      assert.deepEqual(spy.take(), [{ type: "accept-follow", accountId: String(dan.id), targetAccountId: carol.accountId, followUri }]);
      assert.equal((await relationship(carol.token, dan.id)).followed_by, true);
    });

    it("refuses a Follow across a block or of a remote or missing account, with a Reject", async () => {
      const erin = await local("erin");
      const fred = await remote("fred");
      expectStatus(await t.request("POST", `/api/v1/accounts/${fred.id}/block`, { token: erin.token }), 200);
      spy.take();
      assert.equal(await receiveFollow(deps, { followerId: fred.id, targetId: BigInt(erin.accountId), followUri: "https://remote.example/f/3" }), "refused");
      assert.deepEqual(spy.take(), [{ type: "reject-follow", accountId: String(fred.id), targetAccountId: erin.accountId, followUri: "https://remote.example/f/3" }]);
      const other = await remote("other");
      assert.equal(await receiveFollow(deps, { followerId: fred.id, targetId: other.id, followUri: null }), "refused");
      assert.equal(await receiveFollow(deps, { followerId: fred.id, targetId: 999_999_999n, followUri: null }), "refused");
      assert.equal((await get(`/api/v1/accounts/${erin.accountId}`)).followers_count, 0);
    });

    it("turns a local request into a follow on Accept, and ends it on Reject", async () => {
      const gina = await local("gina");
      const hal = await remote("hal");
      spy.take();
      const res = expectStatus(await t.request("POST", `/api/v1/accounts/${hal.id}/follow`, { token: gina.token }), 200);
      assert.equal(res.body.requested, true);
      assert.deepEqual(spy.take(), [{ type: "follow", accountId: gina.accountId, targetAccountId: String(hal.id) }]);
      assert.equal(await receiveAccept(deps, { localFollowerId: BigInt(gina.accountId), remoteTargetId: hal.id }), true);
      assert.equal(await receiveAccept(deps, { localFollowerId: BigInt(gina.accountId), remoteTargetId: hal.id }), false, "a repeat changes nothing");
      const r = await relationship(gina.token, hal.id);
      assert.equal(r.following, true);
      assert.equal(r.requested, false);
      assert.equal((await get(`/api/v1/accounts/${gina.accountId}`)).following_count, 1);
      assert.equal(await receiveReject(deps, { localFollowerId: BigInt(gina.accountId), remoteTargetId: hal.id }), true);
      assert.equal((await relationship(gina.token, hal.id)).following, false);
      assert.equal((await get(`/api/v1/accounts/${gina.accountId}`)).following_count, 0);
    });

    it("stores a remote status once and delivers it as a local post: home, mentions, tags, media, poll, counters", async () => {
      const ivy = await local("ivy");
      const jon = await local("jon");
      const kim = await remote("kim");
      await insertFollow(t, ivy.accountId, String(kim.id));
      // A reply reaches a home only when the receiver also follows the account replied to (feed rules).
      await insertFollow(t, ivy.accountId, jon.accountId);
      const own = expectStatus(await t.request("POST", "/api/v1/statuses", { token: jon.token, form: { status: "hello remote world" } }), 200).body;
      const input = note(kim.id, {
        html: `<p>hi <span class="h-card"><a href="${t.baseUrl}/@x" class="u-url mention">@<span>jon</span></a></span> #Herdtest</p>`,
        inReplyToId: BigInt(own.id), mentionIds: [BigInt(jon.accountId), 999_999_998n], tags: ["Herdtest"],
        media: [{ remoteUrl: "https://remote.example/media/1.png", contentType: "image/png", description: "a picture", blurhash: null, focus: { x: 0.5, y: -0.5 }, width: 640, height: 480 }],
        poll: { options: [{ title: "yes", votesCount: 3 }, { title: "no", votesCount: 1 }], multiple: false, expiresAt: Date.now() + 86_400_000, votersCount: 4 },
      });
      const stored = await receiveStatus(deps, input);
      assert.ok(stored?.created);
      const again = await receiveStatus(deps, input);
      assert.deepEqual(again, { statusId: stored.statusId, created: false }, "a second delivery is a no-op");
      await t.drain();

      const home = await get("/api/v1/timelines/home", ivy.token);
      assert.equal(home[0]?.id, String(stored.statusId), "the follower's home shows it");
      assert.equal(home.filter((s: any) => s.id === String(stored.statusId)).length, 1);
      const status = await get(`/api/v1/statuses/${stored.statusId}`, ivy.token);
      assert.equal(status.uri, input.uri);
      assert.equal(status.in_reply_to_id, own.id);
      assert.match(status.content, /Herdtest/);
      assert.equal(status.media_attachments.length, 1);
      assert.equal(status.media_attachments[0].remote_url, "https://remote.example/media/1.png");
      assert.equal(status.media_attachments[0].description, "a picture");
      assert.deepEqual(status.poll.options.map((o: any) => [o.title, o.votes_count]), [["yes", 3], ["no", 1]]);
      assert.deepEqual(status.tags.map((x: any) => x.name.toLowerCase()), ["herdtest"]);
      assert.deepEqual(status.mentions.map((m: any) => m.id), [jon.accountId]);
      assert.equal((await get(`/api/v1/statuses/${own.id}`)).replies_count, 1);
      assert.equal((await get(`/api/v1/accounts/${kim.id}`)).statuses_count, 1, "counted once");
      const mentions = await notifications(jon.token, "mention");
      assert.equal(mentions.length, 1);
      assert.equal(mentions[0].status.id, String(stored.statusId));
      const tagged = await get("/api/v1/timelines/tag/herdtest");
      assert.ok(tagged.some((s: any) => s.id === String(stored.statusId)), "in the hashtag timeline");
    });

    it("distributes a received status in the receiving job, again when the job is redelivered, and by a job when that fails", async () => {
      const lea = await local("lea");
      const max = await remote("max");
      await insertFollow(t, lea.accountId, String(max.id));
      const home = homeKey(BigInt(lea.accountId));
      const feed = async () => (await t.container.feeds.page(home, {}, 20)) ?? [];
      await t.container.feeds.replace(home, []);

      const input = note(max.id);
      const stored = (await receiveStatus(deps, input))!;
      assert.deepEqual(await feed(), [stored.statusId], "in the follower's feed before any job runs");

      // A run cut off after the commit: the status is stored, its distribution lost.
      await t.container.feeds.remove([home], stored.statusId);
      assert.deepEqual(await receiveStatus(deps, input), { statusId: stored.statusId, created: false });
      assert.deepEqual(await feed(), [], "another delivery of the activity is a no-op");
      assert.equal(await receiveStatus(deps, { ...input, authorId: (await remote("other")).id }), null, "nor can another account claim its uri");
      assert.deepEqual(await receiveStatus(deps, input, { redelivered: true }), { statusId: stored.statusId, created: false });
      assert.deepEqual(await feed(), [stored.statusId], "the redelivered job distributes it again");

      // Feeds failing while the job distributes: the status is stored and a fan-out job does the rest.
      const feeds = t.container.feeds;
      const failing = Object.assign(Object.create(feeds), { push: () => Promise.reject(new Error("feeds are down")) });
      const later = (await receiveStatus({ ...deps, feeds: failing }, note(max.id)))!;
      assert.equal(later.created, true);
      assert.deepEqual(await feed(), [stored.statusId]);
      await t.drain();
      assert.deepEqual(await feed(), [later.statusId, stored.statusId], "the fan-out job filled the feed");
    });

    it("respects visibility: a followers-only remote status reaches followers, not others", async () => {
      const lea = await local("lea");
      const max = await local("max");
      const ned = await remote("ned");
      await insertFollow(t, lea.accountId, String(ned.id));
      const stored = await receiveStatus(deps, note(ned.id, { visibility: "private" }));
      await t.drain();
      assert.equal((await get("/api/v1/timelines/home", lea.token))[0]?.id, String(stored!.statusId));
      expectStatus(await t.request("GET", `/api/v1/statuses/${stored!.statusId}`, { token: max.token }), 404);
      assert.equal(await receiveAnnounce(deps, { accountId: (await remote("oz")).id, statusId: stored!.statusId, uri: "https://remote.example/a/private", createdAt: Date.now(), visibility: "public" }), null);
    });

    it("applies newer edits of a remote status only, records history and tells boosters", async () => {
      const pia = await local("pia");
      const quin = await remote("quin");
      const input = note(quin.id);
      const stored = (await receiveStatus(deps, input))!;
      expectStatus(await t.request("POST", `/api/v1/statuses/${stored.statusId}/reblog`, { token: pia.token }), 200);
      const edited = { ...input, html: "<p>edited</p>", editedAt: Date.now() + 1 };
      assert.deepEqual(await receiveStatusUpdate(deps, edited), { statusId: stored.statusId, updated: true });
      assert.deepEqual(await receiveStatusUpdate(deps, edited), { statusId: stored.statusId, updated: false }, "a replay is ignored");
      assert.deepEqual(await receiveStatusUpdate(deps, { ...input, html: "<p>older</p>", editedAt: input.createdAt - 1000 }), { statusId: stored.statusId, updated: false });
      assert.equal(await receiveStatusUpdate(deps, { ...edited, authorId: (await remote("mallory")).id, editedAt: Date.now() + 5 }), null, "only its author edits");
      const status = await get(`/api/v1/statuses/${stored.statusId}`);
      assert.equal(status.content, "<p>edited</p>");
      assert.ok(status.edited_at);
      const history = await get(`/api/v1/statuses/${stored.statusId}/history`);
      assert.deepEqual(history.map((h: any) => h.content), [input.html, "<p>edited</p>"]);
      assert.equal((await notifications(pia.token, "update")).length, 1);
    });

    it("deletes a remote status only for its author, with every effect of a delete", async () => {
      const rae = await local("rae");
      const sam = await remote("sam");
      await insertFollow(t, rae.accountId, String(sam.id));
      const input = note(sam.id);
      const stored = (await receiveStatus(deps, input))!;
      await t.drain();
      assert.equal((await get("/api/v1/timelines/home", rae.token))[0]?.id, String(stored.statusId));
      expectStatus(await t.request("POST", `/api/v1/statuses/${stored.statusId}/favourite`, { token: rae.token }), 200);
      assert.equal(await receiveDeleteStatus(deps, { actorId: (await remote("eve")).id, uri: input.uri }), false);
      assert.equal(await receiveDeleteStatus(deps, { actorId: sam.id, uri: input.uri }), true);
      assert.equal(await receiveDeleteStatus(deps, { actorId: sam.id, uri: input.uri }), false, "a repeat does nothing");
      await t.drain();
      expectStatus(await t.request("GET", `/api/v1/statuses/${stored.statusId}`, { token: rae.token }), 404);
      assert.ok(!(await get("/api/v1/timelines/home", rae.token)).some((s: any) => s.id === String(stored.statusId)));
      assert.equal((await get(`/api/v1/accounts/${sam.id}`)).statuses_count, 0);
      assert.equal(await receiveStatus(deps, input), null, "a replayed Create does not bring it back");
    });

    it("counts Likes and Announces as local favourites and boosts, idempotently, and undoes them", async () => {
      const tia = await local("tia");
      const uma = await local("uma");
      const vic = await remote("vic");
      await insertFollow(t, uma.accountId, String(vic.id));
      const post = expectStatus(await t.request("POST", "/api/v1/statuses", { token: tia.token, form: { status: "like me" } }), 200).body;
      const statusId = BigInt(post.id);
      assert.equal(await receiveLike(deps, { accountId: vic.id, statusId }), true);
      assert.equal(await receiveLike(deps, { accountId: vic.id, statusId }), false);
      assert.equal((await get(`/api/v1/statuses/${post.id}`)).favourites_count, 1);
      assert.equal((await notifications(tia.token, "favourite")).length, 1);

      const uri = `${vic.uri}/statuses/1/activity`;
      const boostId = await receiveAnnounce(deps, { accountId: vic.id, statusId, uri, createdAt: Date.now(), visibility: "public" });
      assert.ok(boostId);
      assert.equal(await receiveAnnounce(deps, { accountId: vic.id, statusId, uri, createdAt: Date.now(), visibility: "public" }), boostId);
      await t.drain();
      assert.equal((await get(`/api/v1/statuses/${post.id}`)).reblogs_count, 1);
      assert.equal((await notifications(tia.token, "reblog")).length, 1);
      const home = await get("/api/v1/timelines/home", uma.token);
      assert.equal(home[0]?.reblog?.id, post.id, "the booster's local follower sees the boost");

      assert.equal(await receiveUndoLike(deps, { accountId: vic.id, statusId }), true);
      assert.equal(await receiveUndoAnnounce(deps, { accountId: BigInt(tia.accountId), uri }), false, "only the booster undoes");
      assert.equal(await receiveUndoAnnounce(deps, { accountId: vic.id, uri }), true);
      assert.equal(await receiveUndoAnnounce(deps, { accountId: vic.id, uri }), false);
      await t.drain();
      const after = await get(`/api/v1/statuses/${post.id}`);
      assert.equal(after.favourites_count, 0);
      assert.equal(after.reblogs_count, 0);
      assert.equal((await notifications(tia.token, "favourite")).length, 0);
      assert.ok(!(await get("/api/v1/timelines/home", uma.token)).some((s: any) => s.reblog?.id === post.id));
    });

    it("applies a remote Block as a block (follows end both ways) and its Undo", async () => {
      const wes = await local("wes");
      const xan = await remote("xan");
      await insertFollow(t, wes.accountId, String(xan.id));
      await insertFollow(t, String(xan.id), wes.accountId);
      spy.take();
      assert.equal(await receiveBlock(deps, { accountId: xan.id, targetId: BigInt(wes.accountId) }), true);
      assert.deepEqual(spy.take(), [], "nothing goes back out");
      let r = await relationship(wes.token, xan.id);
      assert.equal(r.blocked_by, true);
      assert.equal(r.following, false);
      assert.equal(r.followed_by, false);
      await receiveUndoBlock(deps, { accountId: xan.id, targetId: BigInt(wes.accountId) });
      r = await relationship(wes.token, xan.id);
      assert.equal(r.blocked_by, false);
    });

    it("removes a deleted actor: suspended at once, statuses and follows removed by the job", async () => {
      const yul = await local("yul");
      const zed = await remote("zed");
      await insertFollow(t, yul.accountId, String(zed.id));
      const stored = (await receiveStatus(deps, note(zed.id)))!;
      const liked = expectStatus(await t.request("POST", "/api/v1/statuses", { token: yul.token, form: { status: "liked" } }), 200).body;
      assert.equal(await receiveLike(deps, { accountId: zed.id, statusId: BigInt(liked.id) }), true);
      await t.drain();
      assert.ok((await get("/api/v1/timelines/home", yul.token)).some((s: any) => s.id === String(stored.statusId)));
      assert.equal(await receiveActorDeleted(deps, { accountId: zed.id }), true);
      assert.equal(await receiveActorDeleted(deps, { accountId: zed.id }), false, "a repeat does nothing");
      await t.drain();
      expectStatus(await t.request("GET", `/api/v1/statuses/${stored.statusId}`, { token: yul.token }), 404);
      assert.ok(!(await get("/api/v1/timelines/home", yul.token)).some((s: any) => s.id === String(stored.statusId)));
      assert.equal((await get(`/api/v1/accounts/${yul.accountId}`)).following_count, 0, "the follow is gone");
      assert.equal((await get(`/api/v1/statuses/${liked.id}`)).favourites_count, 0, "its likes are gone");
      assert.equal(await receiveActorDeleted(deps, { accountId: BigInt(yul.accountId) }), false, "never a local account");
    });

    it("moves local followers when the target names the old account in alsoKnownAs", async () => {
      const abe = await local("abe");
      const old = await remote("oldacct", "old.example");
      const target = await remote("newacct", "new.example");
      const stranger = await remote("stranger", "new.example");
      await insertFollow(t, abe.accountId, String(old.id));
      assert.equal(await receiveMove(deps, { accountId: old.id, targetId: stranger.id }), 0, "no alias, no move");
      await t.container.db.kysely.updateTable("accounts").set({ also_known_as: JSON.stringify([old.uri]) } as any).where("id", "=", target.id).execute();
      spy.take();
      assert.equal(await receiveMove(deps, { accountId: old.id, targetId: target.id }), 1);
      const events = spy.take();
      assert.ok(events.some((e) => e.type === "follow" && e.targetAccountId === String(target.id)), "a Follow goes to the new account");
      assert.ok(events.some((e) => e.type === "undo-follow" && e.targetAccountId === String(old.id)));
      const rOld = await relationship(abe.token, old.id);
      const rNew = await relationship(abe.token, target.id);
      assert.equal(rOld.following, false);
      assert.equal(rNew.requested, true, "a remote target gets a request awaiting its Accept");
    });

    it("records Flags as reports once, and remote votes and pins", async () => {
      const bea = await local("bea");
      const cal = await remote("cal");
      const post = expectStatus(await t.request("POST", "/api/v1/statuses", { token: bea.token, form: { status: "vote", "poll[options][]": ["a", "b"], "poll[expires_in]": "3600", "poll[multiple]": "true" } }), 200).body;
      const uri = `https://remote.example/flags/${uniqueName("f")}`;
      const reportId = await receiveFlag(deps, { targetAccountId: BigInt(bea.accountId), statusIds: [BigInt(post.id), 1n], comment: "spam", uri });
      assert.ok(reportId);
      assert.equal(await receiveFlag(deps, { targetAccountId: BigInt(bea.accountId), statusIds: [], comment: "spam", uri }), null);
      const report = await t.container.db.repos.reports.findByUri(uri);
      assert.deepEqual(report?.statusIds, [BigInt(post.id)]);
      assert.equal(report?.accountId, null);
      assert.equal(await receiveFlag(deps, { targetAccountId: cal.id, statusIds: [], comment: "", uri: null }), null, "only local accounts are reported");

      assert.equal(await receiveVote(deps, { accountId: cal.id, statusId: BigInt(post.id), choiceTitles: ["b", "b", "zzz"] }), 1);
      assert.equal(await receiveVote(deps, { accountId: cal.id, statusId: BigInt(post.id), choiceTitles: ["b"] }), 0, "a repeated vote counts once");
      const poll = (await get(`/api/v1/statuses/${post.id}`)).poll;
      assert.deepEqual(poll.options.map((o: any) => o.votes_count), [0, 1]);
      assert.equal(poll.voters_count, 1);

      const remotePost = (await receiveStatus(deps, note(cal.id)))!;
      assert.equal(await receiveFeatured(deps, { accountId: cal.id, statusId: remotePost.statusId, featured: true }), true);
      assert.deepEqual((await get(`/api/v1/accounts/${cal.id}/statuses?pinned=true`)).map((s: any) => s.id), [String(remotePost.statusId)]);
      assert.equal(await receiveFeatured(deps, { accountId: cal.id, statusId: BigInt(post.id), featured: true }), false, "only its own statuses");
      assert.equal(await receiveFeatured(deps, { accountId: cal.id, statusId: remotePost.statusId, featured: false }), true);
    });
  });
}
