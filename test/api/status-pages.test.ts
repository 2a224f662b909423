import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { addCustomEmoji } from "../../src/services/emojis/custom-emojis.ts";
import { expectStatus, remoteAccount, remoteStatus, users } from "../support/accounts.ts";
import { solidImage, uploadForm } from "../support/media-fixtures.ts";
import { assertEntities } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

/*
 * Lists of statuses are written as bytes from kept parts (serializers/status-json.ts); one status asked for by id
 * is rendered as an object (renderStatus). Both must give the same entity, before and after every kind of change
 * a kept part could miss.
 */
for (const v of appVariants) {
  describe(`status pages written as bytes (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const call = async (method: string, path: string, as: User | null, json?: Record<string, unknown>) =>
      expectStatus(await t.request(method, path, { token: as?.token, ...(json ? { json } : {}) }), 200).body;
    const post = async (as: User, json: Record<string, unknown>): Promise<string> => (await call("POST", "/api/v1/statuses", as, json)).id;
    const home = async (as: User) => {
      const res = expectStatus(await t.request("GET", "/api/v1/timelines/home?limit=40", { token: as.token }), 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      assertEntities("Status", res.body);
      return res.body as Record<string, any>[];
    };
    /** Each status of the page equals the one rendered on its own, for the same viewer. */
    const assertSameAsSingle = async (page: Record<string, any>[], as: User | null) => {
      for (const s of page) assert.deepEqual(s, await call("GET", `/api/v1/statuses/${s.id}`, as), `status ${s.id} in a page`);
    };

    it("writes every shape of status as the single-status route renders it, and follows each change", async () => {
      const [viewer, author, friend, stranger] = await users(t, ["sp_viewer", "sp_author", "sp_friend", "sp_stranger"]);
      await call("POST", `/api/v1/accounts/${author.accountId}/follow`, viewer);
      await call("POST", `/api/v1/accounts/${friend.accountId}/follow`, viewer);
      const png = await solidImage("png", 8, 8);
      const uploaded = expectStatus(
        await t.request("POST", "/api/v2/media", { token: author.token, form: uploadForm({ file: { data: png, name: "a.png", type: "image/png" }, description: "a square" }) }),
        200,
      ).body;
      await t.drain();
      assert.ok((await addCustomEmoji(
          { db: t.container.db, cache: t.container.cache, clock: t.container.clock, media: t.container.media, images: new SharpImageProcessor() },
          { shortcode: "sp_blob", image: png },
        )).ok);

      const plain = await post(author, { status: "plain words" });
      const linked = await post(author, { status: "@sp_friend see #SpTag and https://example.com/a/long/path :sp_blob:", spoiler_text: "cw", sensitive: true, language: "en" });
      const pictured = await post(author, { status: "a picture", media_ids: [uploaded.id] });
      const polled = await post(author, { status: "pick one", poll: { options: ["left", "right"], expires_in: 3600 } });
      const reply = await post(friend, { status: "@sp_author a reply", in_reply_to_id: plain });
      // A boost of someone the viewer does not follow (one of a status already in the feed would be left out).
      const boosted = await post(stranger, { status: "worth sharing :sp_blob:" });
      const boost = (await call("POST", `/api/v1/statuses/${boosted}/reblog`, friend)).id as string;
      await t.drain();

      const first = await home(viewer);
      const ids = first.map((s) => s.id);
      for (const id of [plain, linked, pictured, polled, reply, boost]) assert.ok(ids.includes(id), `home shows ${id}`);
      await assertSameAsSingle(first, viewer);
      assert.deepEqual(first.find((s) => s.id === linked)!.emojis.map((e: any) => e.shortcode), ["sp_blob"]);
      assert.equal(first.find((s) => s.id === boost)!.reblog.id, boosted);
      // A second page comes from the kept parts and is the same.
      assert.deepEqual(await home(viewer), first);

      // Changes that are not edits: counts, the viewer's own state, votes, the author's profile.
      await call("POST", `/api/v1/statuses/${plain}/favourite`, viewer);
      await call("POST", `/api/v1/statuses/${plain}/bookmark`, viewer);
      await call("POST", `/api/v1/statuses/${pictured}/reblog`, viewer);
      await post(viewer, { status: "@sp_author joining in", in_reply_to_id: linked });
      await call("POST", `/api/v1/statuses/${linked}/mute`, viewer);
      const pollId = first.find((s) => s.id === polled)!.poll.id;
      await call("POST", `/api/v1/polls/${pollId}/votes`, viewer, { choices: ["1"] });
      await call("PATCH", "/api/v1/accounts/update_credentials", author, { display_name: "Author :sp_blob:" });
      // And an edit, of the text and of the attachment's description.
      await call("PUT", `/api/v1/statuses/${pictured}`, author, { status: "a picture, edited", media_ids: [uploaded.id], media_attributes: [{ id: uploaded.id, description: "a blue square" }] });
      await t.drain();

      const second = await home(viewer);
      await assertSameAsSingle(second, viewer);
      const byId = (id: string) => second.find((s) => s.id === id)!;
      assert.equal(byId(plain).favourited, true);
      assert.equal(byId(plain).bookmarked, true);
      assert.equal(byId(plain).favourites_count, 1);
      assert.equal(byId(plain).replies_count, 1);
      assert.equal(byId(pictured).reblogged, true);
      assert.equal(byId(linked).muted, true);
      assert.deepEqual(byId(polled).poll.own_votes, [1]);
      assert.equal(byId(plain).account.display_name, "Author :sp_blob:");
      assert.deepEqual(byId(plain).account.emojis.map((e: any) => e.shortcode), ["sp_blob"]);
      assert.match(byId(pictured).content, /edited/);
      assert.ok(byId(pictured).edited_at);
      assert.equal(byId(pictured).media_attachments[0].description, "a blue square");

      // An anonymous list and a remote status go the same way (public timeline).
      const remoteId = await remoteAccount(t, "sp_far", "far.example");
      const remotePost = await remoteStatus(t, remoteId, "<p>from afar</p>", "https://far.example/s/1", "https://far.example/@sp_far/1");
      const anonymous = expectStatus(await t.request("GET", "/api/v1/timelines/public?limit=40"), 200).body as Record<string, any>[];
      assert.ok(anonymous.some((s) => s.id === String(remotePost)));
      assert.ok(anonymous.every((s) => !("favourited" in s)), "no viewer fields without a viewer");
      await assertSameAsSingle(anonymous, null);
    });

    it("answers concurrent pages of several viewers each with that viewer's standing and state", async () => {
      // On PostgreSQL these pages share their statements (read-coalescer.ts); each must still get its own answer.
      const [x, y, fan, bookmarker, muter] = await users(t, ["sp_x", "sp_y", "sp_fan", "sp_bookmarker", "sp_muter"]);
      for (const viewer of [fan, bookmarker, muter]) for (const author of [x, y]) await call("POST", `/api/v1/accounts/${author.accountId}/follow`, viewer);
      const fromX = await post(x, { status: "from x" });
      const fromY = await post(y, { status: "from y" });
      await t.drain();
      await call("POST", `/api/v1/statuses/${fromX}/favourite`, fan);
      await call("POST", `/api/v1/statuses/${fromY}/bookmark`, bookmarker);
      // Muted after fan-out: the feed still holds y's status, the page must leave it out.
      await call("POST", `/api/v1/accounts/${y.accountId}/mute`, muter);
      const viewers = [fan, bookmarker, muter, fan, bookmarker, muter];
      const pages = await Promise.all(viewers.map((v) => home(v)));
      pages.forEach((page, i) => {
        const viewer = viewers[i];
        const byId = (id: string) => page.find((s) => s.id === id);
        assert.equal(byId(fromX)?.favourited, viewer === fan, `page ${i}: favourited`);
        assert.equal(byId(fromX)?.bookmarked, false, `page ${i}`);
        if (viewer === muter) assert.equal(byId(fromY), undefined, `page ${i}: a muted author's status is left out`);
        else assert.equal(byId(fromY)?.bookmarked, viewer === bookmarker, `page ${i}: bookmarked`);
      });
    });
  });
}
