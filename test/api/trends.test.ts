import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALL_JOBS } from "../../src/jobs/index.ts";
import { DEFAULT_SCHEDULE } from "../../src/scheduler/schedule.ts";
import { refreshTrends } from "../../src/services/trends/trends.ts";
import { expectStatus, pageLinks, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`trends (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const deps = () => ({ db: t.container.db, cache: t.container.cache, clock: t.container.clock });
    const discoverable = async (u: User) =>
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: u.token, json: { discoverable: true } }), 200);
    const post = async (u: User, status: string, visibility = "public") =>
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: u.token, json: { status, visibility } }), 200).body.id as string;
    const score = (id: string, favourites: number, reblogs = 0) =>
      t.container.db.kysely.updateTable("statuses").set({ favourites_count: favourites, reblogs_count: reblogs }).where("id", "=", BigInt(id)).execute();
    const get = async (path: string, token?: string) => {
      const res = expectStatus(await t.request("GET", path, { token }), 200);
      assertResponse("GET", path, 200, res.body);
      return res;
    };

    it("is computed by a periodic job", () => {
      assert.ok(ALL_JOBS.some((j) => j.name === "refresh-trends"));
      const periodic = DEFAULT_SCHEDULE.find((p) => p.job.name === "refresh-trends");
      assert.deepEqual(periodic?.schedule, { everyMs: 600_000 });
    });

    it("trends statuses by favourites and boosts, for discoverable authors, as the viewer may see them", async () => {
      const [a, b, hidden, viewer] = await users(t, ["tr_a", "tr_b", "tr_hidden", "tr_viewer"]);
      for (const u of [a, b, viewer]) await discoverable(u);
      const top = await post(a, "most loved");
      const second = await post(b, "liked too");
      const none = await post(a, "nobody cares");
      const unlisted = await post(a, "quietly loved", "unlisted");
      const undiscoverable = await post(hidden, "from a hidden account");
      await score(top, 5, 2);
      await score(second, 2);
      await score(unlisted, 9);
      await score(undiscoverable, 9);
      await refreshTrends(deps());

      const res = await get("/api/v1/trends/statuses");
      assertEntities("Status", res.body);
      const ids = (res.body as { id: string }[]).map((s) => s.id);
      assert.deepEqual(ids.filter((id) => [top, second, none, unlisted, undiscoverable].includes(id)), [top, second]);
      const page = await get("/api/v1/trends/statuses?limit=1");
      assert.equal(page.body.length, 1);
      const next = pageLinks(page.headers.get("link"))?.next;
      assert.equal(next?.searchParams.get("offset"), "1");
      assert.equal((await get("/api/v1/trends/statuses?limit=1&offset=1")).body[0].id, ids[1]);

      expectStatus(await t.request("POST", `/api/v1/accounts/${a.accountId}/mute`, { token: viewer.token }), 200);
      const muted = await get("/api/v1/trends/statuses", viewer.token);
      assert.ok(!muted.body.some((s: { id: string }) => s.id === top), "muted authors are left out");
      assert.ok(muted.body.some((s: { id: string }) => s.id === second));
      expectStatus(await t.request("POST", `/api/v1/accounts/${viewer.accountId}/block`, { token: b.token }), 200);
      assert.ok(!(await get("/api/v1/trends/statuses", viewer.token)).body.some((s: { id: string }) => s.id === second), "blocked by the author");
      expectStatus(await t.request("DELETE", `/api/v1/statuses/${top}`, { token: a.token }), 200);
      assert.ok(!(await get("/api/v1/trends/statuses")).body.some((s: { id: string }) => s.id === top), "a deleted status drops out at once");
    });

    it("trends tags and links used by several people, with a week of history", async () => {
      const [x, y, z] = await users(t, ["tr_x", "tr_y", "tr_z"]);
      for (const u of [x, y, z]) await discoverable(u);
      await post(x, "#HerdTrend is here https://news.example/story");
      await post(y, "me too #herdtrend https://news.example/story");
      await post(y, "again #herdtrend");
      await post(z, "#lonely https://solo.example/page");
      await post(z, "#lonely once more https://solo.example/page");
      const yesterday = await post(x, "#TwoDays started yesterday");
      await t.container.db.kysely.updateTable("statuses").set({ created_at: Date.now() - 86_400_000 }).where("id", "=", BigInt(yesterday)).execute();
      await post(z, "#twodays goes on");
      await refreshTrends(deps());

      const tags = await get("/api/v1/trends/tags");
      assertEntities("Tag", tags.body);
      const trend = tags.body.find((tag: { name: string }) => tag.name.toLowerCase() === "herdtrend");
      assert.ok(trend, JSON.stringify(tags.body));
      assert.equal(trend.url, `${t.baseUrl}/tags/herdtrend`);
      assert.equal(trend.following, undefined, "only for a signed-in viewer");
      expectStatus(await t.request("POST", "/api/v1/tags/herdtrend/follow", { token: z.token }), 200);
      const signedIn = await get("/api/v1/trends/tags", z.token);
      assertEntities("Tag", signedIn.body);
      const mine = signedIn.body.find((tag: { name: string }) => tag.name.toLowerCase() === "herdtrend");
      assert.deepEqual([mine.following, mine.featuring], [true, false]);
      assert.equal(trend.history.length, 7);
      assert.deepEqual([trend.history[0].uses, trend.history[0].accounts], ["3", "2"]);
      assert.equal(Number(trend.history[0].day) % 86_400, 0);
      assert.ok(!tags.body.some((tag: { name: string }) => tag.name === "lonely"), "one account is not a trend");
      const twoDays = tags.body.find((tag: { name: string }) => tag.name.toLowerCase() === "twodays");
      assert.ok(twoDays, "two people on different days make a trend");
      assert.deepEqual(twoDays.history.slice(0, 2).map((d: { uses: string }) => d.uses), ["1", "1"]);
      const legacy = expectStatus(await t.request("GET", "/api/v1/trends"), 200);
      assert.deepEqual(legacy.body, tags.body);

      const links = expectStatus(await t.request("GET", "/api/v1/trends/links"), 200);
      // Without a fetched preview, author_url and embed_url are "" as in Mastodon's own cards, which the spec's
      // "uri" format refuses: everything else is checked against the spec.
      for (const l of links.body) {
        assert.deepEqual([l.author_url, l.embed_url], ["", ""]);
        assertEntity("TrendsLink", { ...l, author_url: "https://x.invalid/", embed_url: "https://x.invalid/" });
      }
      const story = links.body.find((l: { url: string }) => l.url === "https://news.example/story");
      assert.ok(story);
      assert.deepEqual([story.title, story.provider_name, story.type, story.image], ["https://news.example/story", "news.example", "link", null]);
      assert.deepEqual([story.history[0].uses, story.history[0].accounts], ["2", "2"]);
      assert.ok(!links.body.some((l: { url: string }) => l.url === "https://solo.example/page"));
      assert.equal(story.provider_url, "https://news.example/");
      assert.equal(expectStatus(await t.request("GET", "/api/v1/trends/links?limit=1&offset=5"), 200).body.length, 0);
    });
  });
}
