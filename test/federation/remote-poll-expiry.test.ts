import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { endRemotePollHandler } from "../../src/federation/inbox/end-remote-poll-job.ts";
import { refreshRemoteStatus } from "../../src/federation/inbox/ingest-run.ts";
import { jobRequest } from "../../src/ports/job-queue.ts";
import { receiveDeleteStatus } from "../../src/services/federation/inbound-statuses.ts";
import { endDuePolls } from "../../src/services/polls/end-poll.ts";
import { endRemotePollJob, REMOTE_POLL_END_DELAY_MS, REMOTE_POLL_SWEEP_GRACE_MS } from "../../src/services/polls/remote-poll-jobs.ts";
import { expectStatus } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { assertEntities, assertEntity } from "../support/openapi.ts";
import { startRemotePeer, type RemotePeer } from "../support/remote-peer.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const CONTEXT = [AS, { toot: "http://joinmastodon.org/ns#", votersCount: "toot:votersCount" }];
const MINUTE = 60_000;

type User = { accountId: string; token: string };

/** A whole second (ActivityStreams dates are read back to the millisecond, but whole seconds read the same everywhere). */
const second = (ms: number) => Math.floor(ms / 1000) * 1000;
/** A job's run_at counts its delay from the commit, a moment after the enqueuer read the clock. */
const near = (actual: number, expected: number) => actual >= expected && actual < expected + 5_000;

for (const v of appVariants) {
  describe(`remote poll expiry (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let peer: RemotePeer;
    before(async () => {
      t = await startTestApp(v.name, { ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      peer = await startRemotePeer();
    });
    after(async () => {
      await t?.close();
      await peer?.close();
    });

    /** An author on `on` and the path of a Question of theirs that `on` serves as `serve` says. */
    const author = (on: RemotePeer) => {
      const name = uniqueName("bob").replace(/[^a-z0-9_]/gi, "_");
      on.actors.set(name, on.person(name));
      const actor = `${on.base}/users/${name}`;
      const path = `/users/${name}/statuses/1`;
      const uri = `${on.base}${path}`;
      const published = new Date(Date.now() - 5 * MINUTE).toISOString();
      const serve = (votes: [number, number], endsAt: number, closed = false, updated?: number) => {
        const question = {
          "@context": CONTEXT, id: uri, type: "Question", attributedTo: actor, published,
          url: `${on.base}/@${name}/1`, to: [PUBLIC], cc: [`${actor}/followers`], content: "<p>tea or coffee?</p>",
          endTime: new Date(endsAt).toISOString(), ...(closed ? { closed: new Date(endsAt).toISOString() } : {}),
          ...(updated === undefined ? {} : { updated: new Date(updated).toISOString() }), votersCount: votes[0] + votes[1],
          oneOf: [
            { type: "Note", name: "tea", replies: { type: "Collection", totalItems: votes[0] } },
            { type: "Note", name: "coffee", replies: { type: "Collection", totalItems: votes[1] } },
          ],
        };
        on.raw.set(path, { status: 200, type: "application/activity+json", body: JSON.stringify(question) });
      };
      return { actor, path, uri, serve };
    };

    /** The Question looked up by URL (search with resolve=true), as a user pasting its link does. */
    const resolve = async (as: User, uri: string) => {
      const res = expectStatus(await t.request("GET", `/api/v2/search?q=${encodeURIComponent(uri)}&resolve=true&type=statuses`, { token: as.token }), 200);
      assert.equal(res.body.statuses.length, 1, "the Question is stored");
      return res.body.statuses[0] as { id: string; poll: { id: string; options: { votes_count: number }[] } };
    };
    const vote = async (as: User, pollId: string, choices: number[]) => {
      const res = expectStatus(await t.request("POST", `/api/v1/polls/${pollId}/votes`, { token: as.token, json: { choices } }), 200);
      assertEntity("Poll", res.body);
      return res.body;
    };
    const showPoll = async (as: User, pollId: string) => {
      const res = expectStatus(await t.request("GET", `/api/v1/polls/${pollId}`, { token: as.token }), 200);
      assertEntity("Poll", res.body);
      return res.body;
    };
    const pollNotes = async (as: User) => {
      const res = expectStatus(await t.request("GET", "/api/v1/notifications?types[]=poll", { token: as.token }), 200);
      assertEntities("Notification", res.body);
      return res.body as { type: string; status: { id: string; poll: { id: string; expired: boolean; options: { votes_count: number }[]; voters_count: number } } }[];
    };
    /** Time passing: the poll's end moved into the past, as local poll tests do. */
    const endAt = (pollId: string, at: number) => t.container.db.kysely.updateTable("polls").set({ expires_at: at }).where("id", "=", BigInt(pollId)).execute();
    /** The poll's end job, run now by the workers (its own delay is minutes). */
    const runEndJob = async (pollId: string) => {
      await t.container.queue.enqueue([jobRequest(endRemotePollJob, { pollId })]);
      await t.drain();
    };
    const endJobs = async (pollId: string) => {
      const rows = await t.container.db.kysely.selectFrom("jobs").select(["queue", "payload", "run_at"]).where("name", "=", endRemotePollJob.name).execute();
      return rows.filter((r) => JSON.parse(r.payload).pollId === pollId);
    };

    it("re-reads the Question after its end and notifies the local voter once, with the final counts", async () => {
      const ana = await t.user(uniqueName("ana"));
      const bob = author(peer);
      const endsAt = second(Date.now() + 60 * MINUTE);
      bob.serve([3, 1], endsAt);
      const status = await resolve(ana, bob.uri);
      const pollId = status.poll.id;
      assert.deepEqual(status.poll.options.map((o) => o.votes_count), [3, 1]);
      if (v.name === "sqlite") {
        const jobs = await endJobs(pollId);
        assert.equal(jobs.length, 1, "enqueued with the poll");
        assert.equal(jobs[0].queue, "pull");
        assert.ok(near(Number(jobs[0].run_at), endsAt + REMOTE_POLL_END_DELAY_MS), "due a few minutes after the end");
      }

      // The origin moves the end: read again (as an Update would be), the poll takes it and a job for it.
      const later = endsAt + 30 * MINUTE;
      bob.serve([3, 1], later);
      assert.equal(await refreshRemoteStatus(t.container.jobDeps, bob.uri), true);
      assert.equal(Date.parse((await showPoll(ana, pollId)).expires_at), later);
      if (v.name === "sqlite") {
        const due = (await endJobs(pollId)).map((j) => Number(j.run_at)).sort((a, b) => a - b);
        assert.equal(due.length, 2);
        assert.ok(near(due[1], later + REMOTE_POLL_END_DELAY_MS), "a job for the new end");
      }
      // An Update that changes nothing schedules nothing more.
      assert.equal(await refreshRemoteStatus(t.container.jobDeps, bob.uri), true);
      if (v.name === "sqlite") assert.equal((await endJobs(pollId)).length, 2);

      const voted = await vote(ana, pollId, [1]);
      assert.deepEqual(voted.options.map((o: any) => o.votes_count), [3, 2]);
      assert.equal(voted.expired, false);

      // An early job (the end moved later) fetches nothing and tells nobody.
      const fetchesBefore = peer.hits(bob.path);
      await runEndJob(pollId);
      assert.equal(peer.hits(bob.path), fetchesBefore);
      assert.equal((await pollNotes(ana)).length, 0);

      // The poll ends; its origin now serves it closed, with the votes it counted last.
      const ended = second(Date.now() - 2 * MINUTE);
      await endAt(pollId, ended);
      bob.serve([4, 6], ended, true);
      await runEndJob(pollId);
      assert.equal(peer.hits(bob.path), fetchesBefore + 1, "fetched again, not read from the loader's cache");

      const notes = await pollNotes(ana);
      assert.equal(notes.length, 1, "one poll notification");
      assert.equal(notes[0].status.id, status.id);
      assert.equal(notes[0].status.poll.expired, true);
      assert.deepEqual(notes[0].status.poll.options.map((o) => o.votes_count), [4, 6]);
      const shown = await showPoll(ana, pollId);
      assert.equal(shown.expired, true);
      assert.deepEqual(shown.options.map((o: any) => o.votes_count), [4, 6]);
      assert.equal(shown.votes_count, 10);
      assert.equal(shown.voters_count, 10);
      assert.equal(shown.voted, true);
      assert.deepEqual(shown.own_votes, [1]);
      assert.notEqual((await t.container.db.repos.polls.findById(BigInt(pollId)))!.endedAt, null);

      // A second run (a retry, a duplicate) tells nobody again.
      await runEndJob(pollId);
      const envelope = { id: "test", name: endRemotePollHandler.name, queue: endRemotePollHandler.queue, payload: { pollId }, attempt: 2, maxAttempts: 5, redelivered: true };
      await endRemotePollHandler.run(t.container.jobDeps, { pollId }, envelope);
      assert.equal((await pollNotes(ana)).length, 1);
      await endRemotePollHandler.run(t.container.jobDeps, { pollId: "123456789" }, envelope);
    });

    it("notifies with the stored counts when the origin is down", async () => {
      const ana = await t.user(uniqueName("ana"));
      const other = await startRemotePeer();
      let closed = false;
      try {
        const bob = author(other);
        bob.serve([2, 0], second(Date.now() + 60 * MINUTE));
        const status = await resolve(ana, bob.uri);
        await vote(ana, status.poll.id, [0]);
        await endAt(status.poll.id, second(Date.now() - 2 * MINUTE));
        await other.close();
        closed = true;
        await runEndJob(status.poll.id);
        const notes = await pollNotes(ana);
        assert.equal(notes.length, 1);
        assert.equal(notes[0].status.poll.expired, true);
        assert.deepEqual(notes[0].status.poll.options.map((o) => o.votes_count), [3, 0], "the counts it had");
        await runEndJob(status.poll.id);
        assert.equal((await pollNotes(ana)).length, 1);
      } finally {
        if (!closed) await other.close();
      }
    });

    it("does nothing for a remote status deleted meanwhile", async () => {
      const ana = await t.user(uniqueName("ana"));
      const bob = author(peer);
      bob.serve([1, 1], second(Date.now() + 60 * MINUTE));
      const status = await resolve(ana, bob.uri);
      await vote(ana, status.poll.id, [0]);
      const authorId = (await t.container.db.repos.accounts.findByUri(bob.actor))!.id;
      assert.equal(await receiveDeleteStatus(t.container.jobDeps, { actorId: authorId, uri: bob.uri }), true);
      await endAt(status.poll.id, second(Date.now() - 2 * MINUTE));
      const fetches = peer.hits(bob.path);
      await runEndJob(status.poll.id);
      assert.equal(peer.hits(bob.path), fetches, "nothing fetched");
      assert.equal((await pollNotes(ana)).length, 0);
    });

    it("takes the new counts of an edited poll's Question served again with the same revision", async () => {
      const ana = await t.user(uniqueName("ana"));
      const bob = author(peer);
      const endsAt = second(Date.now() + 60 * MINUTE);
      const edited = second(Date.now() - 10_000);
      bob.serve([1, 0], endsAt, false, edited);
      const status = await resolve(ana, bob.uri);
      bob.serve([1, 3], endsAt, false, edited);
      assert.equal(await refreshRemoteStatus(t.container.jobDeps, bob.uri), true);
      const shown = await showPoll(ana, status.poll.id);
      assert.deepEqual(shown.options.map((o: any) => o.votes_count), [1, 3]);
      const history = expectStatus(await t.request("GET", `/api/v1/statuses/${status.id}/history`, { token: ana.token }), 200).body;
      assert.ok(history.length <= 1, "no new revision");
      // An older revision is still ignored.
      bob.serve([9, 9], endsAt, false, edited - MINUTE);
      await refreshRemoteStatus(t.container.jobDeps, bob.uri);
      assert.deepEqual((await showPoll(ana, status.poll.id)).options.map((o: any) => o.votes_count), [1, 3]);
    });

    it("leaves a remote poll to its job for a while in the sweep, then ends it as for a lost job", async () => {
      const ana = await t.user(uniqueName("ana"));
      const bob = author(peer);
      bob.serve([0, 5], second(Date.now() + 60 * MINUTE));
      const status = await resolve(ana, bob.uri);
      await vote(ana, status.poll.id, [1]);
      const fetches = peer.hits(bob.path);
      await endAt(status.poll.id, Date.now() - 2 * MINUTE);
      await endDuePolls(t.container.jobDeps);
      assert.equal((await t.container.db.repos.polls.findById(BigInt(status.poll.id)))!.endedAt, null, "its job comes first");
      assert.equal((await pollNotes(ana)).length, 0);
      await endAt(status.poll.id, Date.now() - REMOTE_POLL_SWEEP_GRACE_MS - MINUTE);
      assert.ok((await endDuePolls(t.container.jobDeps)) >= 1);
      assert.equal((await pollNotes(ana)).length, 1);
      assert.equal(peer.hits(bob.path), fetches, "the sweep fetches nothing");
      await runEndJob(status.poll.id);
      assert.equal((await pollNotes(ana)).length, 1, "the late job tells nobody again");
    });
  });
}
