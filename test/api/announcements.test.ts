import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { publishAnnouncement, unpublishAnnouncement } from "../../src/services/announcements/announcements.ts";
import { addCustomEmoji } from "../../src/services/emojis/custom-emojis.ts";
import { expectStatus, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const v of appVariants) {
  describe(`announcements (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const deps = () => ({ db: t.container.db, cache: t.container.cache, clock: t.container.clock });
    const list = async (token: string, query = "") => {
      const res = expectStatus(await t.request("GET", `/api/v1/announcements${query}`, { token }), 200);
      assertEntities("Announcement", res.body);
      assertResponse("GET", "/api/v1/announcements", 200, res.body);
      for (const a of res.body) assertEntities("Reaction", a.reactions);
      return res.body as Record<string, any>[];
    };
    const publish = async (text: string, extra: { startsAt?: number; endsAt?: number; allDay?: boolean } = {}) => {
      const r = await publishAnnouncement(deps(), { text, ...extra });
      assert.ok(r.ok);
      return String(r.value.id);
    };

    it("lists published announcements with their dates, and hides dismissed ones unless asked", async () => {
      const [reader, other] = await users(t, ["ann_reader", "ann_other"]);
      const start = Date.parse("2026-12-24T00:00:00Z");
      const first = await publish("Maintenance tonight, see https://status.herd.test", { startsAt: start, endsAt: start + 86_400_000, allDay: true });
      const second = await publish("Welcome!");
      const shown = await list(reader.token);
      const a = shown.find((x) => x.id === first)!;
      assert.equal(a.content, '<p>Maintenance tonight, see <a href="https://status.herd.test" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">status.herd.test</span><span class="invisible"></span></a></p>');
      assert.deepEqual([a.starts_at, a.ends_at, a.all_day, a.read], ["2026-12-24T00:00:00.000Z", "2026-12-25T00:00:00.000Z", true, false]);
      assert.ok(shown.some((x) => x.id === second));

      const dismissed = expectStatus(await t.request("POST", `/api/v1/announcements/${first}/dismiss`, { token: reader.token }), 200);
      assert.deepEqual(dismissed.body, {});
      expectStatus(await t.request("POST", `/api/v1/announcements/${first}/dismiss`, { token: reader.token }), 200);
      assert.ok(!(await list(reader.token)).some((x) => x.id === first));
      const all = await list(reader.token, "?with_dismissed=true");
      assert.equal(all.find((x) => x.id === first)!.read, true);
      assert.equal((await list(other.token)).find((x) => x.id === first)!.read, false, "dismissals are per account");

      assert.ok((await unpublishAnnouncement(deps(), BigInt(second))).ok);
      assert.ok(!(await list(other.token)).some((x) => x.id === second));
      expectStatus(await t.request("POST", `/api/v1/announcements/${second}/dismiss`, { token: reader.token }), 404, "Record not found");
      expectStatus(await t.request("POST", "/api/v1/announcements/123/dismiss", { token: reader.token }), 404);
      expectStatus(await t.request("GET", "/api/v1/announcements"), 401);
    });

    it("counts reactions by name, with the viewer's own and custom emojis' pictures", async () => {
      const [me, you] = await users(t, ["react_me", "react_you"]);
      const png = await sharp({ create: { width: 32, height: 32, channels: 4, background: "#0a0" } }).png().toBuffer();
      assert.ok((await addCustomEmoji({ ...deps(), media: t.container.media, images: new SharpImageProcessor() }, { shortcode: "herdcat", image: png })).ok);
      const id = await publish("React :herdcat:");
      const put = (as: { token: string }, name: string) => t.request("PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent(name)}`, { token: as.token });
      expectStatus(await put(me, "👍"), 200);
      expectStatus(await put(me, "👍"), 200);
      expectStatus(await put(you, "👍"), 200);
      expectStatus(await put(you, "herdcat"), 200);
      expectStatus(await put(me, "🏳️‍🌈"), 200);
      expectStatus(await put(me, "not-an-emoji"), 422, "Validation failed: Name is not a recognized emoji");
      expectStatus(await put(me, "nosuchemoji"), 422, "Validation failed: Name is not a recognized emoji");
      expectStatus(await put(me, "ab"), 422);

      const a = (await list(me.token)).find((x) => x.id === id)!;
      assert.deepEqual(a.emojis.map((e: any) => e.shortcode), ["herdcat"]);
      assertEntities("CustomEmoji", a.emojis);
      const byName = new Map<string, any>(a.reactions.map((r: any) => [r.name, r]));
      assert.deepEqual([byName.get("👍").count, byName.get("👍").me], [2, true]);
      assert.deepEqual([byName.get("herdcat").count, byName.get("herdcat").me], [1, false]);
      assert.match(byName.get("herdcat").url, /^http:\/\/herd\.test\/.+\.png$/);
      assert.ok(byName.get("herdcat").static_url);
      assert.equal(byName.get("👍").url, undefined);
      for (const r of a.reactions) assertEntity("Reaction", r);

      expectStatus(await t.request("DELETE", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("👍")}`, { token: me.token }), 200);
      expectStatus(await t.request("DELETE", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("👍")}`, { token: me.token }), 404);
      const after = (await list(you.token)).find((x) => x.id === id)!;
      const thumbs = after.reactions.find((r: any) => r.name === "👍");
      assert.deepEqual([thumbs.count, thumbs.me], [1, true]);

      // Eight different names at most.
      const many = await publish("Pick one");
      for (const e of ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆"])
        expectStatus(await t.request("PUT", `/api/v1/announcements/${many}/reactions/${encodeURIComponent(e)}`, { token: me.token }), 200);
      expectStatus(await t.request("PUT", `/api/v1/announcements/${many}/reactions/${encodeURIComponent("😇")}`, { token: you.token }), 422, "Validation failed: Limit of different reactions reached");
      expectStatus(await t.request("PUT", `/api/v1/announcements/${many}/reactions/${encodeURIComponent("😀")}`, { token: you.token }), 200, "an existing name is still fine");
    });

    it("checks scopes as Mastodon does", async () => {
      const [reader] = await users(t, ["ann_scoped"]);
      const id = await publish("Scoped");
      const readOnly = await t.user("ann_readonly", { scopes: "read" });
      expectStatus(await t.request("GET", "/api/v1/announcements", { token: readOnly.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/announcements/${id}/dismiss`, { token: readOnly.token }), 403);
      expectStatus(await t.request("PUT", `/api/v1/announcements/${id}/reactions/%F0%9F%91%8D`, { token: readOnly.token }), 403);
      const favOnly = await t.user("ann_fav", { scopes: "write:favourites" });
      expectStatus(await t.request("PUT", `/api/v1/announcements/${id}/reactions/%F0%9F%91%8D`, { token: favOnly.token }), 200);
      expectStatus(await t.request("GET", "/api/v1/announcements", { token: favOnly.token }), 403);
      assert.ok(reader);
    });
  });
}
