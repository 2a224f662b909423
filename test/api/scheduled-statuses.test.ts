import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { publishScheduledStatusHandler } from "../../src/jobs/scheduled-statuses.ts";
import type { Clock } from "../../src/ports/clock.ts";
import { removeUnattachedMedia } from "../../src/services/media/manage-media.ts";
import { publishDueStatuses, publishScheduledStatus } from "../../src/services/scheduled/publish.ts";
import type { StatusDeps } from "../../src/services/statuses/deps.ts";
import { expectStatus, pageLinks, relative, users } from "../support/accounts.ts";
import { solidImage, uploadForm } from "../support/media-fixtures.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const v of appVariants) {
  describe(`scheduled statuses (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    /** The status services' dependencies with a clock the test sets. */
    const at = (now: number): StatusDeps => {
      const clock: Clock = { now: () => now };
      return { db: t.container.db, cache: t.container.cache, clock, localDomain: "herd.test", maxStatusChars: 500 };
    };
    const schedule = async (as: User, json: Record<string, unknown>) => {
      const res = await t.request("POST", "/api/v1/statuses", { token: as.token, json });
      if (res.status === 200) assertResponse("POST", "/api/v1/statuses", 200, res.body);
      return res;
    };
    const scheduled = async (as: User, json: Record<string, unknown>) => {
      const res = expectStatus(await schedule(as, json), 200);
      assertEntity("ScheduledStatus", res.body);
      return res.body;
    };
    const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
    const profile = async (u: User) =>
      expectStatus(await t.request("GET", `/api/v1/accounts/${u.accountId}/statuses`, { token: u.token }), 200).body as {
        id: string; content: string; poll: { expires_at: string; options: { title: string }[] } | null; mentions: { id: string }[];
      }[];

    it("schedules a post instead of publishing it, keeping its parameters", async () => {
      const [author] = await users(t, ["sched_author"]);
      const parent = expectStatus(await schedule(author, { status: "parent" }), 200).body;
      const when = inHours(2);
      const body = await scheduled(author, {
        status: "later", scheduled_at: when, visibility: "unlisted", spoiler_text: "cw", language: "de", in_reply_to_id: parent.id,
        poll: { options: ["a", "b"], expires_in: 600, multiple: true },
      });
      assert.equal(body.scheduled_at, when);
      assert.equal(body.params.text, "later");
      assert.equal(body.params.visibility, "unlisted");
      assert.equal(body.params.spoiler_text, "cw");
      assert.equal(body.params.language, "de");
      assert.equal(body.params.sensitive, null);
      assert.equal(body.params.scheduled_at, null);
      assert.equal(body.params.with_rate_limit, false);
      assert.deepEqual(body.params.poll, { options: ["a", "b"], expires_in: 600, multiple: true, hide_totals: false });
      assert.deepEqual(body.media_attachments, []);
      assert.equal(typeof body.params.application_id, "number");
      // Ids are written as exact JSON integers, as Mastodon's params column holds them.
      const raw = (await t.request("GET", `/api/v1/scheduled_statuses/${body.id}`, { token: author.token })).text;
      assert.match(raw, new RegExp(`"in_reply_to_id":${parent.id}[,}]`));
      const own = await profile(author);
      assert.deepEqual(own.map((s) => s.id), [parent.id], "nothing is posted yet");

      const plain = await scheduled(author, { status: "defaults", scheduled_at: inHours(3) });
      assert.equal(plain.params.visibility, "public", "the author's default visibility");
      assert.equal(plain.params.poll, null);
      assert.equal(plain.params.in_reply_to_id, null);
      const key = { "Idempotency-Key": "sched-once" };
      const once = expectStatus(await t.request("POST", "/api/v1/statuses", { token: author.token, json: { status: "once", scheduled_at: inHours(5) }, headers: key }), 200).body;
      const again = expectStatus(await t.request("POST", "/api/v1/statuses", { token: author.token, json: { status: "once", scheduled_at: inHours(5) }, headers: key }), 200).body;
      assert.equal(again.id, once.id, "a repeated Idempotency-Key answers the first scheduled status");
      const form = expectStatus(await t.request("POST", "/api/v1/statuses", { token: author.token, form: { status: "form", scheduled_at: "2099-01-01" } }), 200).body;
      assertEntity("ScheduledStatus", form);
      assert.equal(form.scheduled_at, "2099-01-01T00:00:00.000Z");
    });

    it("refuses times too soon and invalid posts, and posts at once a time that has passed", async () => {
      const [writer] = await users(t, ["sched_writer"]);
      const soon = new Date(Date.now() + 2 * 60_000).toISOString();
      expectStatus(await schedule(writer, { status: "x", scheduled_at: soon }), 422, "Validation failed: Scheduled at The scheduled date must be in the future");
      expectStatus(await schedule(writer, { status: "x", scheduled_at: "not a date" }), 422, "Record invalid");
      expectStatus(await schedule(writer, { status: "", scheduled_at: inHours(1) }), 422, "Validation failed: Text can't be blank");
      expectStatus(await schedule(writer, { status: "x", scheduled_at: inHours(1), poll: { options: ["a"], expires_in: 600 } }), 422, "Validation failed: Choices must have more than one item");
      expectStatus(await schedule(writer, { status: "x", scheduled_at: inHours(1), in_reply_to_id: "12345" }), 404, "Record not found");
      const past = expectStatus(await schedule(writer, { status: "now", scheduled_at: new Date(Date.now() - 60_000).toISOString() }), 200).body;
      assertEntity("Status", past);
      assert.equal(past.content, "<p>now</p>");
      const nulled = expectStatus(await schedule(writer, { status: "plain", scheduled_at: null }), 200).body;
      assertEntity("Status", nulled);
      const rows = await t.container.db.kysely.selectFrom("scheduled_statuses").select("id").where("account_id", "=", BigInt(writer.accountId)).execute();
      assert.equal(rows.length, 0);
    });

    it("lists one's own scheduled statuses with Link headers, shows, re-times and cancels them", async () => {
      const [owner, other] = await users(t, ["sched_owner", "sched_other"]);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await scheduled(owner, { status: `s${i}`, scheduled_at: inHours(1 + i) })).id);
      await scheduled(other, { status: "theirs", scheduled_at: inHours(1) });
      const page = expectStatus(await t.request("GET", "/api/v1/scheduled_statuses?limit=2", { token: owner.token }), 200);
      assertEntities("ScheduledStatus", page.body);
      assertResponse("GET", "/api/v1/scheduled_statuses", 200, page.body);
      assert.deepEqual(page.body.map((s: { id: string }) => s.id), [ids[2], ids[1]]);
      const links = pageLinks(page.headers.get("link"))!;
      assert.equal(links.next!.searchParams.get("max_id"), ids[1]);
      const next = expectStatus(await t.request("GET", relative(links.next!), { token: owner.token }), 200);
      assert.deepEqual(next.body.map((s: { id: string }) => s.id), [ids[0]]);
      const prev = expectStatus(await t.request("GET", `/api/v1/scheduled_statuses?min_id=${ids[0]}`, { token: owner.token }), 200);
      assert.deepEqual(prev.body.map((s: { id: string }) => s.id), [ids[2], ids[1]]);

      const one = expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${ids[0]}`, { token: owner.token }), 200).body;
      assertResponse("GET", `/api/v1/scheduled_statuses/${ids[0]}`, 200, one);
      assert.equal(one.params.text, "s0");
      expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${ids[0]}`, { token: other.token }), 404, "Record not found");

      const later = inHours(30);
      const moved = expectStatus(await t.request("PUT", `/api/v1/scheduled_statuses/${ids[0]}`, { token: owner.token, form: { scheduled_at: later } }), 200).body;
      assertEntity("ScheduledStatus", moved);
      assertResponse("PUT", `/api/v1/scheduled_statuses/${ids[0]}`, 200, moved);
      assert.equal(moved.scheduled_at, later);
      const soon = new Date(Date.now() + 60_000).toISOString();
      expectStatus(await t.request("PUT", `/api/v1/scheduled_statuses/${ids[0]}`, { token: owner.token, json: { scheduled_at: soon } }), 422, "Validation failed: Scheduled at The scheduled date must be in the future");
      expectStatus(await t.request("PUT", `/api/v1/scheduled_statuses/${ids[0]}`, { token: other.token, json: { scheduled_at: later } }), 404, "Record not found");
      assert.equal(expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${ids[0]}`, { token: owner.token }), 200).body.scheduled_at, later);

      expectStatus(await t.request("DELETE", `/api/v1/scheduled_statuses/${ids[1]}`, { token: other.token }), 404, "Record not found");
      const gone = expectStatus(await t.request("DELETE", `/api/v1/scheduled_statuses/${ids[1]}`, { token: owner.token }), 200);
      assert.deepEqual(gone.body, {});
      expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${ids[1]}`, { token: owner.token }), 404, "Record not found");
      expectStatus(await t.request("DELETE", `/api/v1/scheduled_statuses/${ids[1]}`, { token: owner.token }), 404, "Record not found");
      expectStatus(await t.request("GET", "/api/v1/scheduled_statuses"), 401);
    });

    it("holds Mastodon's limits: 25 on one day, 300 waiting", async () => {
      const [busy, full] = await users(t, ["sched_busy", "sched_full"]);
      const day = Math.floor((Date.now() + 3 * DAY) / DAY) * DAY;
      const onDay = (i: number) => new Date(day + HOUR + i * 60_000).toISOString();
      for (let i = 0; i < 25; i++) await scheduled(busy, { status: `p${i}`, scheduled_at: onDay(i) });
      expectStatus(await schedule(busy, { status: "one more", scheduled_at: onDay(30) }), 422, "Validation failed: You have exceeded the limit of 25 scheduled posts for today");
      const nextDay = await scheduled(busy, { status: "next day", scheduled_at: new Date(day + DAY + HOUR).toISOString() });
      expectStatus(await t.request("PUT", `/api/v1/scheduled_statuses/${nextDay.id}`, { token: busy.token, json: { scheduled_at: onDay(40) } }), 422, /limit of 25 scheduled posts for today/);

      await t.container.db.transaction(async (tx) => {
        for (let i = 0; i < 300; i++)
          await tx.scheduledStatuses.create({
            id: await tx.nextId(), accountId: BigInt(full.accountId), scheduledAt: Date.now() + 10 * DAY + i * HOUR,
            params: { text: `bulk ${i}`, spoiler_text: null, sensitive: null, visibility: "public", language: null, in_reply_to_id: null, media_ids: null, poll: null, application_id: null },
            now: Date.now(),
          });
      });
      expectStatus(await schedule(full, { status: "too many", scheduled_at: inHours(1) }), 422, "Validation failed: You have exceeded the limit of 300 scheduled posts");
    });

    it("holds the daily limit under concurrent requests", async () => {
      const [racer] = await users(t, ["sched_racer"]);
      const day = Math.floor((Date.now() + 4 * DAY) / DAY) * DAY;
      const onDay = (i: number) => new Date(day + HOUR + i * 60_000).toISOString();
      for (let i = 0; i < 23; i++) await scheduled(racer, { status: `r${i}`, scheduled_at: onDay(i) });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => schedule(racer, { status: `race ${i}`, scheduled_at: onDay(30 + i) })));
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 422, 422, 422, 422, 422, 422, 422, 422], "two fit under the limit of 25");
      for (const r of answers) if (r.status === 422) assert.equal(r.body.error, "Validation failed: You have exceeded the limit of 25 scheduled posts for today");
      const listed = expectStatus(await t.request("GET", "/api/v1/scheduled_statuses?limit=40", { token: racer.token }), 200).body;
      assert.equal(listed.length, 25, "exactly the limit is stored");
    });

    it("publishes at its time through the posting service, exactly once, with its poll starting then", async () => {
      const [author, friend] = await users(t, ["pub_author", "pub_friend"]);
      const when = Date.now() + 6 * HOUR;
      const s = await scheduled(author, { status: "hello @pub_friend", scheduled_at: new Date(when).toISOString(), poll: { options: ["x", "y"], expires_in: 900 } });
      assert.equal(await publishScheduledStatus(at(when - 1), BigInt(s.id)), "not_due", "an early job does nothing");
      const outcomes = await Promise.all([publishScheduledStatus(at(when + 5), BigInt(s.id)), publishScheduledStatus(at(when + 5), BigInt(s.id))]);
      assert.deepEqual(outcomes.sort(), ["gone", "published"]);
      assert.equal(await publishScheduledStatus(at(when + 10), BigInt(s.id)), "gone");
      const posted = await profile(author);
      assert.equal(posted.length, 1);
      assert.equal(posted[0].mentions[0].id, friend.accountId);
      assert.deepEqual(posted[0].poll!.options.map((o) => o.title), ["x", "y"]);
      assert.equal(posted[0].poll!.expires_at, new Date(when + 5 + 900_000).toISOString(), "the poll runs from publication");
      const me = expectStatus(await t.request("GET", `/api/v1/accounts/${author.accountId}`), 200).body;
      assert.equal(me.statuses_count, 1);
      expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${s.id}`, { token: author.token }), 404, "Record not found");
      const mentions = expectStatus(await t.request("GET", "/api/v1/notifications?types[]=mention", { token: friend.token }), 200).body;
      assert.deepEqual(mentions.map((n: { status: { id: string } }) => n.status.id), [posted[0].id], "the mention notifies as a direct post would");
    });

    it("enqueues the publishing job with the schedule; the job publishes once due", async () => {
      const [author] = await users(t, ["job_author"]);
      const s = await scheduled(author, { status: "by the job", scheduled_at: inHours(4) });
      if (v.name === "sqlite") {
        const jobs = await t.container.db.kysely.selectFrom("jobs").select(["payload", "run_at"]).where("name", "=", "publish-scheduled-status").execute();
        const mine = jobs.filter((j) => JSON.parse(j.payload).scheduledStatusId === s.id);
        assert.equal(mine.length, 1, "enqueued in the scheduling transaction");
        assert.ok(Math.abs(Number(mine[0].run_at) - Date.parse(s.scheduled_at)) < 5_000, "delayed until the time");
      }
      const payload = { scheduledStatusId: s.id };
      const envelope = { id: "test", name: publishScheduledStatusHandler.name, queue: publishScheduledStatusHandler.queue, payload, attempt: 1, maxAttempts: 8, redelivered: false };
      await publishScheduledStatusHandler.run(t.container.jobDeps, payload, envelope);
      assert.equal((await profile(author)).length, 0, "not before its time");
      await t.container.db.kysely.updateTable("scheduled_statuses").set({ scheduled_at: Date.now() - 1_000 }).where("id", "=", BigInt(s.id)).execute();
      await publishScheduledStatusHandler.run(t.container.jobDeps, payload, envelope);
      await publishScheduledStatusHandler.run(t.container.jobDeps, payload, envelope);
      assert.deepEqual((await profile(author)).map((p) => p.content), ["<p>by the job</p>"]);
    });

    it("a job for an old time does nothing after a re-time; a post that no longer validates is dropped; the sweep publishes what is due", async () => {
      const [author] = await users(t, ["sweep_author"]);
      const first = Date.now() + 2 * HOUR;
      const s = await scheduled(author, { status: "moved", scheduled_at: new Date(first).toISOString() });
      const moved = first + 5 * HOUR;
      expectStatus(await t.request("PUT", `/api/v1/scheduled_statuses/${s.id}`, { token: author.token, json: { scheduled_at: new Date(moved).toISOString() } }), 200);
      assert.equal(await publishScheduledStatus(at(first + 1), BigInt(s.id)), "not_due");
      assert.equal((await profile(author)).length, 0);

      const parent = expectStatus(await schedule(author, { status: "parent" }), 200).body;
      const reply = await scheduled(author, { status: "reply", scheduled_at: new Date(first).toISOString(), in_reply_to_id: parent.id });
      await t.request("DELETE", `/api/v1/statuses/${parent.id}`, { token: author.token });
      assert.equal(await publishScheduledStatus(at(first + 1), BigInt(reply.id)), "dropped", "its reply target is gone");
      expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${reply.id}`, { token: author.token }), 404);

      await publishDueStatuses(at(moved + 1));
      const posted = await profile(author);
      assert.deepEqual(posted.map((p) => p.content), ["<p>moved</p>"]);
      expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${s.id}`, { token: author.token }), 404);
    });

    const uploadImage = async (as: User, name: string, side: number) => {
      const res = expectStatus(await t.request("POST", "/api/v1/media", { token: as.token, form: uploadForm({ file: { data: await solidImage("png", side, side), name } }) }), 200);
      assertEntity("MediaAttachment", res.body);
      return res.body as { id: string; url: string };
    };
    const mediaRow = (id: string) => t.container.db.repos.media.findById(BigInt(id));

    it("renders the uploads a scheduled status will attach, and publishes it with them in order", async () => {
      const [author] = await users(t, ["sched_media"]);
      const first = await uploadImage(author, "a.png", 11);
      const second = await uploadImage(author, "b.png", 13);
      const when = Date.now() + 2 * HOUR;
      const s = await scheduled(author, { status: "with pictures", scheduled_at: new Date(when).toISOString(), media_ids: [second.id, first.id] });
      assert.deepEqual(s.params.media_ids, [second.id, first.id]);
      assert.deepEqual(s.media_attachments.map((m: { id: string }) => m.id), [second.id, first.id]);
      assert.equal(s.media_attachments[0].url, second.url);
      const listed = expectStatus(await t.request("GET", "/api/v1/scheduled_statuses", { token: author.token }), 200).body;
      assertEntities("ScheduledStatus", listed);
      assert.deepEqual(listed[0].media_attachments.map((m: { id: string }) => m.id), [second.id, first.id]);
      const shown = expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${s.id}`, { token: author.token }), 200).body;
      assert.deepEqual(shown.media_attachments.map((m: { id: string }) => m.id), [second.id, first.id]);

      assert.equal(await publishScheduledStatus(at(when + 1), BigInt(s.id)), "published");
      const [posted] = expectStatus(await t.request("GET", `/api/v1/accounts/${author.accountId}/statuses`, { token: author.token }), 200).body;
      assertEntity("Status", posted);
      assert.equal(posted.content, "<p>with pictures</p>");
      assert.deepEqual(posted.media_attachments.map((m: { id: string }) => m.id), [second.id, first.id]);
      assert.equal(String((await mediaRow(first.id))?.statusId), posted.id);
    });

    it("the unattached cleanup spares a pending scheduled status's uploads, and takes them once it is cancelled", async () => {
      const [author] = await users(t, ["sched_cleanup"]);
      const held = await uploadImage(author, "held.png", 12);
      const loose = await uploadImage(author, "loose.png", 12);
      const s = await scheduled(author, { status: "in two days", scheduled_at: new Date(Date.now() + 2 * DAY).toISOString(), media_ids: [held.id] });
      const c = t.container;
      const later = { now: () => Date.now() + 25 * HOUR };
      await removeUnattachedMedia({ db: c.db, media: c.media, clock: later });
      assert.equal(await mediaRow(loose.id), null, "a day-old loose upload is removed");
      assert.notEqual(await mediaRow(held.id), null, "the scheduled status's upload stays");
      const shown = expectStatus(await t.request("GET", `/api/v1/scheduled_statuses/${s.id}`, { token: author.token }), 200).body;
      assert.deepEqual(shown.media_attachments.map((m: { id: string }) => m.id), [held.id]);

      expectStatus(await t.request("DELETE", `/api/v1/scheduled_statuses/${s.id}`, { token: author.token }), 200);
      await removeUnattachedMedia({ db: c.db, media: c.media, clock: later });
      assert.equal(await mediaRow(held.id), null, "a cancelled scheduled status's upload is cleaned up");
    });
  });
}
