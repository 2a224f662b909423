import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRedis, closeRedis } from "../../src/adapters/redis/redis-connection.ts";
import { hashPassword } from "../../src/services/auth/passwords.ts";
import { fanOutStatus } from "../../src/services/timelines/fan-out.ts";
import { homeTimeline } from "../../src/services/timelines/read-timelines.ts";
import { expectStatus, users } from "../support/accounts.ts";
import { TEST_REDIS_URL } from "../support/backends.ts";
import { assertEntities } from "../support/openapi.ts";
import { deleteKeys } from "../support/redis.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const FOLLOWERS = 2_000;

/** Local accounts following `targetId`, written in bulk (creating them through the API would take minutes). */
async function bulkFollowers(t: TestApp, prefix: string, targetId: bigint, count: number): Promise<bigint[]> {
  const c = t.container;
  const passwordHash = await hashPassword("bulk password 1234");
  const ids: bigint[] = [];
  for (let start = 0; start < count; start += 500) {
    await c.db.transaction(async (tx) => {
      for (let i = start; i < Math.min(count, start + 500); i++) {
        const accountId = await tx.nextId();
        const created = await tx.accounts.createLocal({
          accountId, userId: await tx.nextId(), username: `${prefix}${i}`, email: `${prefix}${i}@bulk.example`,
          passwordHash, role: "user", confirmed: true, approved: true, now: Date.now(),
        });
        assert.ok(created);
        ids.push(accountId);
      }
    });
    const rows = [];
    for (const id of ids.slice(start)) rows.push({ id: await c.db.nextId(), account_id: id, target_account_id: targetId, created_at: Date.now() });
    await c.db.kysely.insertInto("follows").values(rows).execute();
  }
  return ids;
}

for (const v of appVariants) {
  describe(`home feeds at scale and after a lost cache (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    it(`fans one status out to ${FOLLOWERS} followers`, async () => {
      const [author] = await users(t, ["bulk_author"]);
      const followers = await bulkFollowers(t, "bulk_follower_", BigInt(author.accountId), FOLLOWERS);
      // Feeds that exist get the status pushed; the last few are missing and must stay so (rebuilt when read).
      const missing = new Set(followers.slice(-5));
      for (const id of followers) if (!missing.has(id)) await t.container.feeds.replace(`home:${id}`, []);
      const status = BigInt(expectStatus(await t.request("POST", "/api/v1/statuses", { token: author.token, json: { status: "to everyone" } }), 200).body.id);
      await t.drain(60_000);
      for (const id of followers) {
        const page = await t.container.feeds.page(`home:${id}`, {}, 5);
        if (missing.has(id)) assert.equal(page, null, "a missing feed is not created by a push");
        else assert.deepEqual(page, [status], `follower ${id} has the status`);
      }
      // Running the job again changes nothing (feeds are sets).
      await fanOutStatus(t.container.jobDeps, status);
      assert.deepEqual(await t.container.feeds.page(`home:${followers[0]}`, {}, 5), [status]);
      // A missing one is rebuilt with it when read.
      const [reader] = [...missing];
      assert.deepEqual((await homeTimeline(t.container.jobDeps, reader, { limit: 5 })).statuses.map((s) => s.id), [status]);
      assert.deepEqual(await t.container.feeds.page(`home:${reader}`, {}, 5), [status]);
    });

    it("answers the same home pages after every feed is lost", async () => {
      const [viewer, a, b, c, tagger] = await users(t, ["lost_viewer", "lost_a", "lost_b", "lost_c", "lost_tagger"]);
      for (const x of [a, b, c]) expectStatus(await t.request("POST", `/api/v1/accounts/${x.accountId}/follow`, { token: viewer.token, json: {} }), 200);
      expectStatus(await t.request("POST", "/api/v1/tags/lostfeeds/follow", { token: viewer.token }), 200);
      await t.drain();
      await t.request("GET", "/api/v1/timelines/home", { token: viewer.token });
      const tagged = expectStatus(await t.request("POST", "/api/v1/statuses", { token: tagger.token, json: { status: "about #LostFeeds" } }), 200).body.id;
      for (let i = 0; i < 12; i++) {
        const by = [a, b, c, viewer][i % 4];
        expectStatus(await t.request("POST", "/api/v1/statuses", { token: by.token, json: { status: `post ${i}`, visibility: i % 3 === 0 ? "private" : "public" } }), 200);
      }
      await t.drain();
      const pages = async () => {
        const out = [];
        for (const q of ["?limit=5", "?limit=40"]) {
          const res = expectStatus(await t.request("GET", `/api/v1/timelines/home${q}`, { token: viewer.token }), 200);
          assertEntities("Status", res.body);
          out.push({ ids: res.body.map((s: { id: string }) => s.id), link: res.headers.get("link") });
        }
        return out;
      };
      const before = await pages();
      assert.equal(before[1].ids.length, 13);
      assert.ok(before[1].ids.includes(tagged), "a followed hashtag's status is in the home feed");
      if (v.name === "postgres+redis") {
        // Flush the instance's whole feed prefix, as a replaced Redis would look.
        const redis = createRedis(TEST_REDIS_URL!);
        try {
          await deleteKeys(redis, `${t.container.config.redis.namespace}:feed:`);
        } finally {
          await closeRedis(redis);
        }
      } else {
        for (const x of [viewer, a, b, c]) await t.container.feeds.drop(`home:${x.accountId}`);
      }
      assert.equal(await t.container.feeds.page(`home:${viewer.accountId}`, {}, 1), null, "the feed is gone");
      assert.deepEqual(await pages(), before);
    });
  });
}
