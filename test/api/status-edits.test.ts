import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { addCustomEmoji } from "../../src/services/emojis/custom-emojis.ts";
import { expectStatus, users } from "../support/accounts.ts";
import { solidImage, uploadForm } from "../support/media-fixtures.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

for (const v of appVariants) {
  describe(`status edits (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let n = 0;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const people = (names: string[]) => users(t, names.map((x) => `${x}_${++n}`));
    const username = async (u: User) => (await t.request("GET", `/api/v1/accounts/${u.accountId}`)).body.username as string;
    const post = async (as: User, json: Record<string, unknown>) => expectStatus(await t.request("POST", "/api/v1/statuses", { token: as.token, json }), 200).body;
    const edit = async (as: User | undefined, id: string, json: Record<string, unknown>) => {
      const res = await t.request("PUT", `/api/v1/statuses/${id}`, { token: as?.token, json });
      if (res.status === 200) {
        assertEntity("Status", res.body);
        assertResponse("PUT", `/api/v1/statuses/${id}`, 200, res.body);
      }
      return res;
    };
    const history = async (id: string, as?: User) => {
      const res = expectStatus(await t.request("GET", `/api/v1/statuses/${id}/history`, { token: as?.token }), 200);
      assertEntities("StatusEdit", res.body);
      assertResponse("GET", `/api/v1/statuses/${id}/history`, 200, res.body);
      return res.body as { content: string; spoiler_text: string; sensitive: boolean; created_at: string; account: { id: string } }[];
    };
    const notifications = (recipient: User, type: string) =>
      t.container.db.kysely.selectFrom("notifications").select(["from_account_id", "status_id"])
        .where("account_id", "=", BigInt(recipient.accountId)).where("type", "=", type).execute();

    it("edits one's own status, keeping the original first in the history", async () => {
      const [author] = await people(["ed_author"]);
      const s = await post(author, { status: "first version", language: "en" });
      assert.equal(s.edited_at, null);
      const untouched = await history(s.id);
      assert.equal(untouched.length, 1, "a status never edited has its current version as history");
      assert.equal(untouched[0].content, "<p>first version</p>");

      const edited = expectStatus(await edit(author, s.id, { status: "second version", spoiler_text: "cw", language: "de" }), 200).body;
      assert.equal(edited.id, s.id);
      assert.equal(edited.content, "<p>second version</p>");
      assert.equal(edited.spoiler_text, "cw");
      assert.equal(edited.sensitive, true, "a content warning forces sensitive");
      assert.equal(edited.language, "de");
      assert.equal(edited.visibility, s.visibility);
      assert.ok(edited.edited_at !== null && edited.edited_at >= edited.created_at);
      const shown = (await t.request("GET", `/api/v1/statuses/${s.id}`)).body;
      assert.equal(shown.content, "<p>second version</p>");
      assert.equal(shown.edited_at, edited.edited_at);

      expectStatus(await edit(author, s.id, { status: "third version", language: "xx-invalid" }), 200);
      const revisions = await history(s.id);
      assert.deepEqual(revisions.map((r) => [r.content, r.spoiler_text, r.sensitive]), [
        ["<p>first version</p>", "", false],
        ["<p>second version</p>", "cw", true],
        ["<p>third version</p>", "", false],
      ]);
      assert.equal(revisions[0].created_at, s.created_at);
      assert.ok(revisions.every((r) => r.account.id === author.accountId));
      assert.equal((await t.request("GET", `/api/v1/statuses/${s.id}`)).body.language, "de", "an invalid language keeps the current one");

      const source = expectStatus(await t.request("GET", `/api/v1/statuses/${s.id}/source`, { token: author.token }), 200).body;
      assertEntity("StatusSource", source);
      assertResponse("GET", `/api/v1/statuses/${s.id}/source`, 200, source);
      assert.deepEqual(source, { id: s.id, text: "third version", spoiler_text: "" });

      // The same content again stores no revision.
      expectStatus(await edit(author, s.id, { status: "third version", language: "de" }), 200);
      assert.equal((await history(s.id)).length, 3);
    });

    it("validates the text as when posting and lets only the author edit", async () => {
      const [author, other] = await people(["ev_author", "ev_other"]);
      const s = await post(author, { status: "mine" });
      expectStatus(await edit(author, s.id, { status: "  " }), 422, "Validation failed: Text can't be blank");
      expectStatus(await edit(author, s.id, { status: "a".repeat(501) }), 422, /character limit of 500/);
      expectStatus(await edit(other, s.id, { status: "hijack" }), 403, "This action is not allowed");
      const priv = await post(author, { status: "private", visibility: "private" });
      expectStatus(await edit(other, priv.id, { status: "hijack" }), 404, "Record not found");
      expectStatus(await edit(author, "999999", { status: "x" }), 404, "Record not found");
      expectStatus(await edit(undefined, s.id, { status: "x" }), 401);
      expectStatus(await t.request("GET", `/api/v1/statuses/${priv.id}/history`, { token: other.token }), 404, "Record not found");
      expectStatus(await t.request("GET", `/api/v1/statuses/${priv.id}/source`, { token: other.token }), 404, "Record not found");
      expectStatus(await t.request("GET", `/api/v1/statuses/${s.id}/source`), 401);
      assert.equal((await t.request("GET", `/api/v1/statuses/${s.id}`)).body.content, "<p>mine</p>");
    });

    it("resolves mentions again and tells boosters about the edit", async () => {
      const [author, first, second, booster] = await people(["em_author", "em_first", "em_second", "em_booster"]);
      const [firstName, secondName] = [await username(first), await username(second)];
      const s = await post(author, { status: `hello @${firstName}` });
      assert.deepEqual(s.mentions.map((m: { id: string }) => m.id), [first.accountId]);
      expectStatus(await t.request("POST", `/api/v1/statuses/${s.id}/reblog`, { token: booster.token }), 200);
      const edited = expectStatus(await edit(author, s.id, { status: `hello @${secondName}` }), 200).body;
      assert.deepEqual(edited.mentions.map((m: { id: string }) => m.id), [second.accountId]);
      assert.match(edited.content, new RegExp(`href="${t.baseUrl}/@${secondName}"`));
      const rows = await t.container.db.kysely.selectFrom("mentions").select("account_id").where("status_id", "=", BigInt(s.id)).execute();
      assert.deepEqual(rows.map((r) => String(r.account_id)), [second.accountId]);
      const updates = await notifications(booster, "update");
      assert.deepEqual(updates.map((r) => [String(r.from_account_id), String(r.status_id)]), [[author.accountId, s.id]]);
      assert.deepEqual(await notifications(first, "update"), [], "only boosters hear of edits");
    });

    it("notifies favourites and boosts and withdraws them when undone", async () => {
      const [author, fan] = await people(["nf_author", "nf_fan"]);
      const s = await post(author, { status: "notify me" });
      expectStatus(await t.request("POST", `/api/v1/statuses/${s.id}/favourite`, { token: fan.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/statuses/${s.id}/reblog`, { token: fan.token }), 200);
      assert.deepEqual((await notifications(author, "favourite")).map((r) => [String(r.from_account_id), String(r.status_id)]), [[fan.accountId, s.id]]);
      assert.deepEqual((await notifications(author, "reblog")).map((r) => String(r.from_account_id)), [fan.accountId]);
      expectStatus(await t.request("POST", `/api/v1/statuses/${s.id}/unfavourite`, { token: fan.token }), 200);
      expectStatus(await t.request("POST", `/api/v1/statuses/${s.id}/unreblog`, { token: fan.token }), 200);
      assert.deepEqual(await notifications(author, "favourite"), []);
      assert.deepEqual(await notifications(author, "reblog"), []);
    });

    it("shows each revision's media attachments, poll options and custom emojis as they were", async () => {
      const emojiDeps = { db: t.container.db, cache: t.container.cache, clock: t.container.clock, media: t.container.media, images: new SharpImageProcessor() };
      const image = await sharp({ create: { width: 16, height: 16, channels: 4, background: { r: 9, g: 90, b: 200, alpha: 1 } } }).png().toBuffer();
      assert.ok((await addCustomEmoji(emojiDeps, { shortcode: "edit_old_emoji", image })).ok);
      assert.ok((await addCustomEmoji(emojiDeps, { shortcode: "edit_new_emoji", image })).ok);
      const [author] = await people(["ed_revisions"]);
      const upload = async (side: number) => {
        const res = expectStatus(await t.request("POST", "/api/v1/media", { token: author.token, form: uploadForm({ file: { data: await solidImage("png", side, side), name: "r.png" } }) }), 200);
        return res.body.id as string;
      };
      const [a, b, c] = [await upload(10), await upload(11), await upload(12)];
      const s = await post(author, { status: "pictures :edit_old_emoji:", media_ids: [a, b] });
      const once = (await history(s.id)) as any[];
      assert.deepEqual(once[0].media_attachments.map((m: any) => m.id), [a, b], "a status never edited shows its attachments");
      assert.equal(once[0].poll, null);

      expectStatus(await edit(author, s.id, { status: "other pictures :edit_new_emoji:", media_ids: [c, a] }), 200);
      expectStatus(await edit(author, s.id, { status: "a poll now", poll: { options: ["yes", "no"], expires_in: 3600 } }), 200);
      expectStatus(await edit(author, s.id, { status: "a poll, reworded", poll: { options: ["yes", "no", "maybe"], expires_in: 3600 } }), 200);
      const revisions = (await history(s.id)) as any[];
      assert.deepEqual(revisions.map((r) => r.content), [
        "<p>pictures :edit_old_emoji:</p>", "<p>other pictures :edit_new_emoji:</p>", "<p>a poll now</p>", "<p>a poll, reworded</p>",
      ]);
      assert.deepEqual(revisions.map((r) => r.media_attachments.map((m: any) => m.id)), [[a, b], [c, a], [], []]);
      for (const r of revisions) for (const m of r.media_attachments) assertEntity("MediaAttachment", m);
      assert.match(revisions[1].media_attachments[0].url, /\.png$/);
      assert.deepEqual(revisions.map((r) => r.poll), [null, null, { options: [{ title: "yes" }, { title: "no" }] }, { options: [{ title: "yes" }, { title: "no" }, { title: "maybe" }] }]);
      assert.deepEqual(revisions.map((r) => r.emojis.map((e: any) => e.shortcode)), [["edit_old_emoji"], ["edit_new_emoji"], [], []]);
      assertEntities("CustomEmoji", revisions[0].emojis);

      expectStatus(await edit(author, s.id, { status: "poll kept, text changed", poll: { options: ["yes", "no", "maybe"], expires_in: 3600 } }), 200);
      expectStatus(await edit(author, s.id, { status: "poll removed" }), 200);
      const later = (await history(s.id)) as any[];
      assert.deepEqual(later.slice(4).map((r) => r.poll?.options.length ?? null), [3, null]);
    });
  });
}
