import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { addCustomEmoji, removeCustomEmoji } from "../../src/services/emojis/custom-emojis.ts";
import { download, expectStatus, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

/** A square PNG of one colour. */
function png(size: number, color = { r: 200, g: 30, b: 90 }): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 4, background: { ...color, alpha: 1 } } }).png().toBuffer();
}

for (const v of appVariants) {
  describe(`custom emojis (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    const deps = () => ({ db: t.container.db, cache: t.container.cache, clock: t.container.clock, media: t.container.media, images: new SharpImageProcessor() });
    const list = async () => {
      const res = expectStatus(await t.request("GET", "/api/v1/custom_emojis"), 200);
      assertEntities("CustomEmoji", res.body);
      assertResponse("GET", "/api/v1/custom_emojis", 200, res.body);
      return res.body as Record<string, any>[];
    };

    it("adds, lists and removes emojis, storing the image and a static PNG", async () => {
      const added = await addCustomEmoji(deps(), { shortcode: "blobcat", image: await png(512), category: "Blobs" });
      assert.ok(added.ok, JSON.stringify(!added.ok && added.error));
      const gif = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 0, g: 0, b: 255 } } }).gif().toBuffer();
      assert.ok((await addCustomEmoji(deps(), { shortcode: "bluebox", image: gif })).ok);
      const emojis = await list();
      const blob = emojis.find((e) => e.shortcode === "blobcat")!;
      assert.equal(blob.category, "Blobs");
      assert.equal(blob.visible_in_picker, true);
      const image = await download(t, blob.url);
      assert.equal(image.status, 200);
      const meta = await sharp(image.bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ["png", 256, 256], "fitted within 256 px");
      const still = await download(t, blob.static_url);
      assert.equal((await sharp(still.bytes).metadata()).format, "png");
      const box = emojis.find((e) => e.shortcode === "bluebox")!;
      assert.equal((await sharp((await download(t, box.url)).bytes).metadata()).format, "gif");
      assert.equal(box.category, null);

      const taken = await addCustomEmoji(deps(), { shortcode: "blobcat", image: await png(16) });
      assert.deepEqual(!taken.ok && taken.error, { kind: "taken" });
      const badCode = await addCustomEmoji(deps(), { shortcode: "a", image: await png(16) });
      assert.equal(!badCode.ok && badCode.error.kind, "invalid");
      const notImage = await addCustomEmoji(deps(), { shortcode: "junk", image: Buffer.from("not an image") });
      assert.match(!notImage.ok && notImage.error.kind === "invalid" ? notImage.error.message : "", /could not be read|must be a PNG/);
      const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } }).jpeg().toBuffer();
      const jpegResult = await addCustomEmoji(deps(), { shortcode: "jpeg", image: jpeg });
      assert.equal(!jpegResult.ok && jpegResult.error.kind === "invalid" && jpegResult.error.message, "the image must be a PNG, GIF or WebP image");
      const huge = await addCustomEmoji(deps(), { shortcode: "huge", image: Buffer.alloc(300 * 1024, 1) });
      assert.equal(!huge.ok && huge.error.kind === "invalid" && huge.error.message, "the image is larger than 256 KB");

      assert.ok((await removeCustomEmoji(deps(), "bluebox")).ok);
      assert.deepEqual((await list()).map((e) => e.shortcode), ["blobcat"]);
      assert.equal((await download(t, box.url)).status, 404, "the files are deleted");
      assert.equal((await removeCustomEmoji(deps(), "bluebox")).ok, false);
    });

    it("lists the emojis a status and its author's name use", async () => {
      assert.ok((await addCustomEmoji(deps(), { shortcode: "party_parrot", image: await png(64) })).ok);
      assert.ok((await addCustomEmoji(deps(), { shortcode: "secret_one", image: await png(64), visibleInPicker: false })).ok);
      assert.ok(!(await list()).some((e) => e.shortcode === "secret_one"), "unlisted emojis stay out of the picker list");
      const [poster] = await users(t, ["emoji_poster"]);
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: poster.token, json: { display_name: "Poster :party_parrot:" } }), 200);
      const posted = expectStatus(
        await t.request("POST", "/api/v1/statuses", { token: poster.token, json: { status: "hello :party_parrot: and :unknown_one: and not:party_parrot: :secret_one:" } }),
        200,
      );
      assertEntity("Status", posted.body);
      assert.deepEqual(posted.body.emojis.map((e: any) => e.shortcode), ["party_parrot", "secret_one"], "unlisted ones still render");
      assertEntities("CustomEmoji", posted.body.emojis);
      assert.deepEqual(posted.body.account.emojis.map((e: any) => e.shortcode), ["party_parrot"]);
      assertEntity("Account", posted.body.account);
      const plain = expectStatus(await t.request("POST", "/api/v1/statuses", { token: poster.token, json: { status: "no emoji here" } }), 200);
      assert.deepEqual(plain.body.emojis, []);

      assert.ok((await removeCustomEmoji(deps(), "party_parrot")).ok);
      const shown = expectStatus(await t.request("GET", `/api/v1/statuses/${posted.body.id}`), 200);
      assert.deepEqual(shown.body.emojis.map((e: any) => e.shortcode), ["secret_one"], "a removed emoji is no longer listed");
    });

    it("lists the emojis of an account's name on account routes and in verify_credentials", async () => {
      assert.ok((await addCustomEmoji(deps(), { shortcode: "herd", image: await png(32) })).ok);
      const [fan, other] = await users(t, ["emoji_account_fan", "emoji_account_other"]);
      const codes = (a: any) => a.emojis.map((e: any) => e.shortcode);
      const updated = expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: fan.token, json: { display_name: "Herd fan :herd:" } }),
        200,
      );
      assertEntity("CredentialAccount", updated.body);
      assert.deepEqual(codes(updated.body), ["herd"]);
      assertEntities("CustomEmoji", updated.body.emojis);

      const mine = expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: fan.token }), 200);
      assertEntity("CredentialAccount", mine.body);
      assert.deepEqual(codes(mine.body), ["herd"]);
      const again = expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: fan.token }), 200);
      assert.deepEqual(codes(again.body), ["herd"], "the cached rendering keeps its emojis");

      const shown = expectStatus(await t.request("GET", `/api/v1/accounts/${fan.accountId}`, { token: other.token }), 200);
      assertEntity("Account", shown.body);
      assert.deepEqual(codes(shown.body), ["herd"]);
      assert.equal(shown.body.emojis[0].url, mine.body.emojis[0].url);
      const anonymous = expectStatus(await t.request("GET", `/api/v1/accounts/${fan.accountId}`), 200);
      assert.deepEqual(codes(anonymous.body), ["herd"]);
      const looked = expectStatus(await t.request("GET", `/api/v1/accounts/lookup?acct=emoji_account_fan`), 200);
      assert.deepEqual(codes(looked.body), ["herd"]);

      expectStatus(await t.request("POST", `/api/v1/accounts/${other.accountId}/follow`, { token: fan.token }), 200);
      const followers = expectStatus(await t.request("GET", `/api/v1/accounts/${other.accountId}/followers`, { token: other.token }), 200);
      assertEntities("Account", followers.body);
      assert.deepEqual(followers.body.map(codes), [["herd"]]);
      const blocked = expectStatus(await t.request("POST", `/api/v1/accounts/${fan.accountId}/block`, { token: other.token }), 200);
      assert.equal(blocked.body.blocking, true);
      const blocks = expectStatus(await t.request("GET", "/api/v1/blocks", { token: other.token }), 200);
      assert.deepEqual(blocks.body.map(codes), [["herd"]]);

      const plain = expectStatus(await t.request("GET", `/api/v1/accounts/${other.accountId}`), 200);
      assert.deepEqual(plain.body.emojis, []);
    });
  });
}
