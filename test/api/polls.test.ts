import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { endPollHandler } from "../../src/jobs/polls.ts";
import { endDuePolls, endPoll } from "../../src/services/polls/end-poll.ts";
import { expectStatus, insertFollow, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`polls (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const post = async (as: User, json: Record<string, unknown>) => {
      const res = await t.request("POST", "/api/v1/statuses", { token: as.token, json });
      if (res.status === 200) {
        assertEntity("Status", res.body);
        assertResponse("POST", "/api/v1/statuses", 200, res.body);
      }
      return res;
    };
    const pollOf = async (as: User, options: string[], extra: Record<string, unknown> = {}) =>
      expectStatus(await post(as, { status: "a poll", poll: { options, expires_in: 600, ...extra } }), 200).body;
    const show = async (pollId: string, as?: User) => {
      const res = await t.request("GET", `/api/v1/polls/${pollId}`, { token: as?.token });
      if (res.status === 200) {
        assertEntity("Poll", res.body);
        assertResponse("GET", `/api/v1/polls/${pollId}`, 200, res.body);
      }
      return res;
    };
    const vote = async (as: User, pollId: string, choices: unknown) => {
      const res = await t.request("POST", `/api/v1/polls/${pollId}/votes`, { token: as.token, json: { choices } });
      if (res.status === 200) {
        assertEntity("Poll", res.body);
        assertResponse("POST", `/api/v1/polls/${pollId}/votes`, 200, res.body);
      }
      return res;
    };
    /** Moves a poll's end into the past, as time passing would. */
    const expire = (pollId: string) =>
      t.container.db.kysely.updateTable("polls").set({ expires_at: Date.now() - 1_000 }).where("id", "=", BigInt(pollId)).execute();

    it("creates polls from forms and JSON, with Mastodon's Poll entity", async () => {
      const [author] = await users(t, ["poll_author"]);
      const before = Date.now();
      const form = expectStatus(
        await t.request("POST", "/api/v1/statuses", {
          token: author.token,
          form: { status: "form poll", "poll[options][]": ["  tea ", "coffee"], "poll[expires_in]": "600" },
        }),
        200,
      ).body;
      assertEntity("Status", form);
      assert.equal(form.poll.multiple, false);
      assert.deepEqual(form.poll.options, [{ title: "tea", votes_count: 0 }, { title: "coffee", votes_count: 0 }]);
      assert.equal(form.poll.votes_count, 0);
      assert.equal(form.poll.voters_count, 0);
      assert.equal(form.poll.expired, false);
      assert.deepEqual(form.poll.emojis, []);
      const expiresAt = Date.parse(form.poll.expires_at);
      assert.ok(expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000, form.poll.expires_at);
      assert.equal(form.poll.voted, true, "an author counts as having voted, as in Mastodon");
      assert.deepEqual(form.poll.own_votes, []);

      const json = await pollOf(author, ["a", "b", "c", "d"], { multiple: true, hide_totals: true });
      assert.equal(json.poll.multiple, true);
      assert.deepEqual(json.poll.options.map((o: { title: string }) => o.title), ["a", "b", "c", "d"]);
      assert.ok(json.poll.options.every((o: { votes_count: unknown }) => o.votes_count === null), "hide_totals hides each option's count");

      const shown = expectStatus(await show(json.poll.id), 200).body;
      assert.equal(shown.id, json.poll.id);
      assert.ok(!("voted" in shown) && !("own_votes" in shown), "anonymous viewers get no viewer fields");
      const status = expectStatus(await t.request("GET", `/api/v1/statuses/${form.id}`), 200).body;
      assert.equal(status.poll.id, form.poll.id);
      const list = expectStatus(await t.request("GET", `/api/v1/accounts/${author.accountId}/statuses`, { token: author.token }), 200).body;
      assertEntities("Status", list);
      assert.deepEqual(list.map((s: { poll: { id: string } | null }) => s.poll?.id ?? null).sort(), [form.poll.id, json.poll.id].sort());
    });

    it("validates polls with Mastodon's messages; options do not count towards the character limit", async () => {
      const [writer] = await users(t, ["poll_writer"]);
      const check = async (poll: Record<string, unknown>, message: string | RegExp, extra: Record<string, unknown> = {}) =>
        expectStatus(await post(writer, { status: "q", poll, ...extra }), 422, message);
      await check({ options: ["only"], expires_in: 600 }, "Validation failed: Choices must have more than one item");
      await check({ options: ["a", "b", "c", "d", "e"], expires_in: 600 }, "Validation failed: Choices can't contain more than 4 items");
      await check({ options: ["a", "x".repeat(51)], expires_in: 600 }, "Validation failed: Choices cannot be longer than 50 characters each");
      await check({ options: ["same", " same"], expires_in: 600 }, "Validation failed: Choices contain duplicate items");
      await check({ options: ["a", "b"], expires_in: 299 }, "Validation failed: Deadline is too soon");
      await check({ options: ["a", "b"], expires_in: 2_629_747 }, "Validation failed: Deadline is too far into the future");
      await check({ options: ["a", "b"] }, "Validation failed: Deadline can't be blank");
      await check({ options: [], expires_in: 600 }, "Validation failed: Choices can't be blank, Choices must have more than one item");
      await check({ options: ["a", "b"], expires_in: 600 }, "Cannot attach more than 4 files", { media_ids: ["1"] });
      expectStatus(await post(writer, { status: " ", poll: { options: ["a", "b"], expires_in: 600 } }), 422, "Validation failed: Text can't be blank");
      expectStatus(await post(writer, { status: "q", poll: { options: ["a", "b"], expires_in: 300 } }), 200);
      expectStatus(await post(writer, { status: "q", poll: { options: ["a", "b"], expires_in: 2_629_746 } }), 200);
      const long = await post(writer, { status: "x".repeat(500), poll: { options: ["👩‍👩‍👧".repeat(50), "y".repeat(50)], expires_in: 600 } });
      expectStatus(long, 200);
      assert.equal(long.body.poll.options[0].title, "👩‍👩‍👧".repeat(50), "50 grapheme clusters fit");
      const rows = await t.container.db.kysely.selectFrom("polls").select("id").where("account_id", "=", BigInt(writer.accountId)).execute();
      assert.equal(rows.length, 3, "refused polls leave nothing behind");
    });

    it("votes on single and multiple choice polls, refusing repeats, bad options and one's own poll", async () => {
      const [owner, voter, second] = await users(t, ["vote_owner", "vote_voter", "vote_second"]);
      const single = (await pollOf(owner, ["yes", "no"])).poll;
      const voted = expectStatus(await vote(voter, single.id, [1]), 200).body;
      assert.equal(voted.votes_count, 1);
      assert.equal(voted.voters_count, 1);
      assert.deepEqual(voted.options.map((o: { votes_count: number }) => o.votes_count), [0, 1]);
      assert.equal(voted.voted, true);
      assert.deepEqual(voted.own_votes, [1]);
      expectStatus(await vote(voter, single.id, [0]), 422, "Validation failed: You have already voted on this poll");
      expectStatus(await vote(second, single.id, [0, 1]), 422, "Validation failed: You have already voted on this poll");
      expectStatus(await vote(second, single.id, [2]), 422, "Validation failed: The chosen vote option does not exist");
      expectStatus(await vote(second, single.id, ["first"]), 422, "Validation failed: The chosen vote option does not exist");
      expectStatus(await vote(owner, single.id, [0]), 422, "Validation failed: You cannot vote in your own polls");
      const unchanged = expectStatus(await vote(second, single.id, []), 200).body;
      assert.equal(unchanged.votes_count, 1, "no choices change nothing, as Mastodon's VoteService");
      assert.equal(unchanged.voted, false);
      const seen = expectStatus(await show(single.id, second), 200).body;
      assert.equal(seen.votes_count, 1);
      assert.deepEqual(seen.own_votes, []);

      const multipleStatus = await pollOf(owner, ["a", "b", "c"], { multiple: true });
      const multiple = multipleStatus.poll;
      const form = expectStatus(await t.request("POST", `/api/v1/polls/${multiple.id}/votes`, { token: voter.token, form: { "choices[]": ["0", "2"] } }), 200).body;
      assert.equal(form.votes_count, 2);
      assert.equal(form.voters_count, 1);
      assert.deepEqual(form.own_votes, [0, 2]);
      expectStatus(await vote(voter, multiple.id, [0]), 422, "Validation failed: You have already voted on this poll");
      expectStatus(await vote(second, multiple.id, [1, 1]), 422, "Validation failed: You have already voted on this poll");
      // Mastodon lets a voter add options they did not choose yet to a multiple-choice poll; they stay one voter.
      const more = expectStatus(await vote(voter, multiple.id, [1]), 200).body;
      assert.equal(more.votes_count, 3);
      assert.equal(more.voters_count, 1);
      assert.deepEqual(more.options.map((o: { votes_count: number }) => o.votes_count), [1, 1, 1]);
      const status = expectStatus(await t.request("GET", `/api/v1/statuses/${multipleStatus.id}`, { token: voter.token }), 200).body;
      assert.deepEqual(status.poll.own_votes, [0, 2, 1], "the status shows the viewer's choices");
      expectStatus(await vote(voter, "999999", [0]), 404, "Record not found");
    });

    it("refuses votes on ended polls and shows hidden totals once the poll ends", async () => {
      const [owner, voter, late] = await users(t, ["end_owner", "end_voter", "end_late"]);
      const poll = (await pollOf(owner, ["x", "y"], { hide_totals: true })).poll;
      const voted = expectStatus(await vote(voter, poll.id, [0]), 200).body;
      assert.equal(voted.votes_count, 1, "the total is shown while options are hidden");
      assert.deepEqual(voted.options.map((o: { votes_count: unknown }) => o.votes_count), [null, null]);
      await expire(poll.id);
      expectStatus(await vote(late, poll.id, [1]), 422, "Validation failed: The poll has already ended");
      const ended = expectStatus(await show(poll.id, late), 200).body;
      assert.equal(ended.expired, true);
      assert.deepEqual(ended.options.map((o: { votes_count: unknown }) => o.votes_count), [1, 0]);
    });

    it("counts ~20 concurrent votes exactly", async () => {
      const [owner] = await users(t, ["crowd_owner"]);
      const voters = await users(t, Array.from({ length: 20 }, (_, i) => `crowd_voter_${i}`));
      const poll = (await pollOf(owner, ["a", "b", "c"], { multiple: true })).poll;
      const results = await Promise.all(voters.map((u, i) => vote(u, poll.id, i % 2 === 0 ? [0, 2] : [1])));
      for (const r of results) expectStatus(r, 200);
      // Two racing requests of one voter: exactly one lands.
      const [owner2] = await users(t, ["crowd_owner_2"]);
      const single = (await pollOf(owner2, ["a", "b"])).poll;
      const twice = await Promise.all([vote(voters[0], single.id, [0]), vote(voters[0], single.id, [1])]);
      assert.deepEqual(twice.map((r) => r.status).sort(), [200, 422]);
      const final = expectStatus(await show(poll.id), 200).body;
      assert.equal(final.voters_count, 20);
      assert.equal(final.votes_count, 30);
      assert.deepEqual(final.options.map((o: { votes_count: number }) => o.votes_count), [10, 10, 10]);
      const rows = await t.container.db.kysely.selectFrom("poll_votes").select("id").where("poll_id", "=", BigInt(poll.id)).execute();
      assert.equal(rows.length, 30);
      const other = expectStatus(await show(single.id), 200).body;
      assert.equal(other.votes_count, 1);
      assert.equal(other.voters_count, 1);
    });

    it("shows and takes votes only where the status is visible", async () => {
      const [author, follower, stranger] = await users(t, ["hidden_poll_author", "hidden_poll_follower", "hidden_poll_stranger"]);
      await insertFollow(t, follower.accountId, author.accountId);
      const poll = expectStatus(await post(author, { status: "followers", visibility: "private", poll: { options: ["a", "b"], expires_in: 600 } }), 200).body.poll;
      expectStatus(await show(poll.id), 404, "Record not found");
      expectStatus(await show(poll.id, stranger), 404, "Record not found");
      expectStatus(await vote(stranger, poll.id, [0]), 404, "Record not found");
      expectStatus(await vote(follower, poll.id, [0]), 200);
      await t.request("POST", `/api/v1/accounts/${author.accountId}/block`, { token: follower.token });
      const openStatus = await pollOf(author, ["c", "d"]);
      const open = openStatus.poll;
      expectStatus(await vote(follower, open.id, [0]), 403, "This action is not allowed");
      const readOnly = await createAccessToken(t.container.jobDeps, "hidden_poll_stranger", "read:accounts write:statuses");
      assert.ok(readOnly.ok);
      expectStatus(await t.request("GET", `/api/v1/polls/${open.id}`, { token: readOnly.value.token }), 403);
      const noWrite = await createAccessToken(t.container.jobDeps, "hidden_poll_stranger", "read");
      assert.ok(noWrite.ok);
      expectStatus(await t.request("POST", `/api/v1/polls/${open.id}/votes`, { token: noWrite.value.token, json: { choices: [0] } }), 403);
      expectStatus(await t.request("POST", `/api/v1/polls/${open.id}/votes`, { json: { choices: [0] } }), 401);
      await t.request("DELETE", `/api/v1/statuses/${openStatus.id}`, { token: author.token });
      expectStatus(await show(open.id), 404, "Record not found");
    });

    it("notifies the author and every voter once when a poll ends", async () => {
      const [owner, a, b, bystander] = await users(t, ["notify_owner", "notify_a", "notify_b", "notify_bystander"]);
      const poll = (await pollOf(owner, ["x", "y"])).poll;
      expectStatus(await vote(a, poll.id, [0]), 200);
      expectStatus(await vote(b, poll.id, [1]), 200);
      assert.equal(await endPoll(t.container.jobDeps, BigInt(poll.id)), "not_due", "a poll ends at its time, not before");
      await expire(poll.id);
      const outcomes = await Promise.all([endPoll(t.container.jobDeps, BigInt(poll.id)), endPoll(t.container.jobDeps, BigInt(poll.id))]);
      assert.deepEqual(outcomes.sort(), ["already_ended", "ended"]);
      await endDuePolls(t.container.jobDeps);
      const notes = async (u: User) => {
        const res = expectStatus(await t.request("GET", "/api/v1/notifications?types[]=poll", { token: u.token }), 200);
        assertEntities("Notification", res.body);
        return res.body as { type: string; status: { id: string; poll: { id: string; expired: boolean } }; account: { id: string } }[];
      };
      for (const u of [owner, a, b]) {
        const list = await notes(u);
        assert.equal(list.length, 1, `one poll notification for ${u.accountId}`);
        assert.equal(list[0].type, "poll");
        assert.equal(list[0].status.poll.id, poll.id);
        assert.equal(list[0].status.poll.expired, true);
        assert.equal(list[0].account.id, owner.accountId);
      }
      assert.equal((await notes(bystander)).length, 0);
    });

    it("ends overdue polls in the sweep", async () => {
      const [owner, voter] = await users(t, ["sweep_owner", "sweep_voter"]);
      const poll = (await pollOf(owner, ["x", "y"])).poll;
      expectStatus(await vote(voter, poll.id, [0]), 200);
      await expire(poll.id);
      assert.ok((await endDuePolls(t.container.jobDeps)) >= 1);
      const row = await t.container.db.repos.polls.findById(BigInt(poll.id));
      assert.notEqual(row!.endedAt, null);
      const res = expectStatus(await t.request("GET", "/api/v1/notifications?types[]=poll", { token: voter.token }), 200);
      assert.equal(res.body.length, 1);
      assert.equal(await endPoll(t.container.jobDeps, BigInt(poll.id)), "already_ended");
    });

    it("schedules the end job with the poll, and the job ends the poll at its time", async () => {
      const [owner] = await users(t, ["job_owner"]);
      const poll = (await pollOf(owner, ["x", "y"])).poll;
      if (v.name === "sqlite") {
        const jobs = await t.container.db.kysely.selectFrom("jobs").select(["payload", "run_at"]).where("name", "=", "end-poll").execute();
        const mine = jobs.filter((j) => JSON.parse(j.payload).pollId === poll.id);
        assert.equal(mine.length, 1, "enqueued in the creating transaction");
        assert.ok(Math.abs(Number(mine[0].run_at) - Date.parse(poll.expires_at)) < 5_000, "delayed until the poll ends");
      }
      const envelope = { id: "test", name: endPollHandler.name, queue: endPollHandler.queue, payload: { pollId: poll.id }, attempt: 1, maxAttempts: 8, redelivered: false };
      await endPollHandler.run(t.container.jobDeps, { pollId: poll.id }, envelope);
      assert.equal((await t.container.db.repos.polls.findById(BigInt(poll.id)))!.endedAt, null, "an early job leaves the poll open");
      await expire(poll.id);
      await endPollHandler.run(t.container.jobDeps, { pollId: poll.id }, envelope);
      assert.notEqual((await t.container.db.repos.polls.findById(BigInt(poll.id)))!.endedAt, null);
      const res = expectStatus(await t.request("GET", "/api/v1/notifications?types[]=poll", { token: owner.token }), 200);
      assert.equal(res.body.length, 1);
      await endPollHandler.run(t.container.jobDeps, { pollId: "123456789" }, envelope);
    });

    it("edits a poll: new options reset the votes, the same options keep them, no poll removes it", async () => {
      const [owner, voter] = await users(t, ["edit_poll_owner", "edit_poll_voter"]);
      const status = await pollOf(owner, ["a", "b"]);
      expectStatus(await vote(voter, status.poll.id, [1]), 200);
      const edit = async (json: Record<string, unknown>) => {
        const res = expectStatus(await t.request("PUT", `/api/v1/statuses/${status.id}`, { token: owner.token, json: { status: "a poll", ...json } }), 200);
        assertEntity("Status", res.body);
        return res.body;
      };
      const kept = await edit({ poll: { options: ["a", "b"], expires_in: 3_600 } });
      assert.equal(kept.poll.id, status.poll.id);
      assert.equal(kept.poll.votes_count, 1, "the same options keep their votes");
      assert.ok(Date.parse(kept.poll.expires_at) > Date.parse(status.poll.expires_at), "the poll runs for its new duration");
      const reset = await edit({ poll: { options: ["a", "c"], expires_in: 3_600 } });
      assert.equal(reset.poll.votes_count, 0);
      assert.equal(reset.poll.voters_count, 0);
      assert.deepEqual(reset.poll.options, [{ title: "a", votes_count: 0 }, { title: "c", votes_count: 0 }]);
      const again = expectStatus(await vote(voter, status.poll.id, [1]), 200).body;
      assert.deepEqual(again.own_votes, [1], "the voter may vote again after a reset");
      expectStatus(await t.request("PUT", `/api/v1/statuses/${status.id}`, { token: owner.token, json: { status: "a poll", poll: { options: ["z"], expires_in: 600 } } }), 422, "Validation failed: Choices must have more than one item");
      const removed = await edit({});
      assert.equal(removed.poll, null);
      expectStatus(await show(status.poll.id), 404, "Record not found");
    });
  });
}
