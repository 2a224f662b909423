import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { removeUnattachedMedia } from "../../src/services/media/manage-media.ts";
import { expectStatus, users } from "../support/accounts.ts";
import {
  animatedGif, corruptJpeg, corruptVideo, jpegWithGps, pngBomb, solidImage, testAudio, testVideo, uploadForm,
} from "../support/media-fixtures.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { S3RVER_KEY, startS3rver, type TestS3Server } from "../support/s3-server.ts";
import { appVariants, startTestApp, type AppVariant, type TestApp } from "../support/test-app.ts";

type User = { accountId: string; token: string };

const BUCKET = "herd-media-api";
const variants: { name: AppVariant; store: "local" | "s3"; skip: string | false }[] = [
  ...appVariants.map((v) => ({ name: v.name, store: "local" as const, skip: v.skip })),
  { name: "sqlite", store: "s3", skip: false },
];

for (const v of variants) {
  describe(`media attachments (${v.name}, ${v.store} store)`, { skip: v.skip }, () => {
    let t: TestApp;
    let s3: TestS3Server | null = null;
    before(async () => {
      let env: Record<string, string> = {};
      if (v.store === "s3") {
        s3 = await startS3rver([BUCKET]);
        env = {
          S3_ENABLED: "true", S3_BUCKET: BUCKET, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: "true", S3_PROTOCOL: "http",
          S3_PERMISSION: "", AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_KEY,
        };
      }
      t = await startTestApp(v.name, env);
    });
    after(async () => {
      await t?.close();
      await s3?.stop();
    });

    /** The stored bytes behind a URL the API gave out (through the store, so it works for both stores). */
    const download = async (url: string): Promise<Buffer> => {
      const key = decodeURIComponent(url.slice(url.indexOf("media_attachments/")));
      const object = await t.container.media.get(key);
      assert.ok(object, `no stored object for ${url}`);
      const chunks: Buffer[] = [];
      for await (const c of object.body) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const keyOf = (url: string) => decodeURIComponent(url.slice(url.indexOf("media_attachments/")));
    const upload = async (as: User, version: "v1" | "v2", fields: Parameters<typeof uploadForm>[0]) => {
      const res = await t.request("POST", `/api/${version}/media`, { token: as.token, form: uploadForm(fields) });
      if (res.status === 200 || res.status === 202) {
        assertEntity("MediaAttachment", res.body);
        assertResponse("POST", `/api/${version}/media`, 200, res.body);
      }
      return res;
    };
    const show = async (as: User, id: string) => {
      const res = await t.request("GET", `/api/v1/media/${id}`, { token: as.token });
      if (res.status === 200 || res.status === 206) assertEntity("MediaAttachment", res.body);
      return res;
    };

    it("processes a JPEG at once: upright, no EXIF or GPS left, original and small with geometry, blurhash", async () => {
      const [alice] = await users(t, ["media_jpeg"]);
      const input = await jpegWithGps(800, 600);
      assert.ok((await sharp(input).metadata()).exif, "the fixture carries EXIF (with GPS)");
      const res = expectStatus(await upload(alice, "v2", { file: { data: input, name: "photo.png", type: "image/png" }, description: "red", focus: "0.5,-0.25" }), 200);
      const m = res.body;
      assert.equal(m.type, "image");
      assert.equal(m.description, "red");
      assert.match(m.url, /\/media_attachments\/files\/\d+\/original\/[0-9a-f]{32}\.jpg$/, "kept as JPEG whatever the client said, under an unguessable key");
      assert.match(m.preview_url, /\/small\/[0-9a-f]{32}\.jpg$/);
      assert.equal(m.remote_url, null);
      assert.deepEqual(m.meta.focus, { x: 0.5, y: -0.25 });
      assert.deepEqual(m.meta.original, { width: 600, height: 800, size: "600x800", aspect: 0.75 }, "EXIF orientation 6 applied");
      assert.ok(m.meta.small.width * m.meta.small.height <= 230_400);
      assert.equal(m.meta.small.width, 415);
      assert.equal(typeof m.blurhash, "string");
      assert.equal(m.blurhash.length, 36, "4×4 components");

      const original = await sharp(await download(m.url)).metadata();
      assert.equal(original.format, "jpeg");
      assert.equal(original.exif, undefined, "no EXIF (so no GPS) survives");
      assert.equal(original.xmp, undefined);
      assert.equal(original.orientation, undefined);
      assert.equal(original.width, 600);
      const small = await sharp(await download(m.preview_url)).metadata();
      assert.equal(small.exif, undefined);
      assert.equal(small.width, m.meta.small.width);

      const shown = expectStatus(await show(alice, m.id), 200);
      assert.deepEqual(shown.body, m);
    });

    it("keeps PNG and WebP, turns a static GIF into PNG, and resizes a large original within 3840×2160 pixels", async () => {
      const [bob] = await users(t, ["media_formats"]);
      const png = expectStatus(await upload(bob, "v1", { file: { data: await solidImage("png", 4000, 2500), name: "a.png" } }), 200).body;
      assert.match(png.url, /\.png$/);
      assert.ok(png.meta.original.width * png.meta.original.height <= 8_294_400);
      assert.deepEqual([png.meta.original.width, png.meta.original.height], [3642, 2276]);
      assert.equal((await sharp(await download(png.url)).metadata()).format, "png");
      const webp = expectStatus(await upload(bob, "v2", { file: { data: await solidImage("webp", 100, 50), name: "a.webp" } }), 200).body;
      assert.match(webp.url, /\.webp$/);
      assert.deepEqual(webp.meta.small, { width: 100, height: 50, size: "100x50", aspect: 2 }, "never enlarged");
      const gif = expectStatus(await upload(bob, "v2", { file: { data: await solidImage("gif", 40, 30), name: "still.gif" } }), 200).body;
      assert.equal(gif.type, "image");
      assert.match(gif.url, /\.png$/);
    });

    it("refuses bombs, unsupported and corrupt files, and oversized descriptions with 422", async () => {
      const [carol] = await users(t, ["media_refusals"]);
      expectStatus(await upload(carol, "v2", { file: { data: pngBomb(), name: "bomb.png", type: "image/png" } }), 422, "30000x30000 images are not supported");
      expectStatus(await upload(carol, "v2", { file: { data: Buffer.from("just some text, not a picture"), name: "a.jpg", type: "image/jpeg" } }), 422, "Validation failed: File content type is invalid, File is invalid");
      expectStatus(await upload(carol, "v2", { file: { data: corruptJpeg(), name: "a.jpg", type: "image/jpeg" } }), 422, "File type of uploaded media could not be verified");
      expectStatus(await upload(carol, "v2", { description: "no file" }), 422, "Validation failed: File can't be blank");
      const png = await solidImage("png", 10, 10);
      expectStatus(await upload(carol, "v2", { file: { data: png, name: "a.png" }, description: "x".repeat(1501) }), 422, "Validation failed: Description is too long (maximum is 1500 characters)");
      expectStatus(await upload(carol, "v2", { file: { data: png, name: "a.png" }, thumbnail: { data: png, name: "t.png" } }), 422, "Validation failed: Thumbnail must be blank");
      expectStatus(await upload(carol, "v2", { file: { data: png, name: "a.png" }, description: "é".repeat(1500) }), 200);
    });

    it("lets only the uploader see, update and delete an upload; attached ones are no longer changeable", async () => {
      const [dave, eve] = await users(t, ["media_owner", "media_other"]);
      const m = expectStatus(await upload(dave, "v2", { file: { data: await solidImage("png", 20, 20), name: "a.png" } }), 200).body;
      assert.equal(m.description, null);
      assert.equal(m.meta.focus, undefined, "no focus until one is set, as in Mastodon");
      expectStatus(await show(eve, m.id), 404, "Record not found");
      expectStatus(await t.request("PUT", `/api/v1/media/${m.id}`, { token: eve.token, json: { description: "mine" } }), 404);
      expectStatus(await t.request("DELETE", `/api/v1/media/${m.id}`, { token: eve.token }), 404);
      expectStatus(await t.request("GET", `/api/v1/media/${m.id}`), 401);
      const readOnly = await t.user("media_reader", { scopes: "read" });
      expectStatus(await t.request("GET", `/api/v1/media/${m.id}`, { token: readOnly.token }), 403);

      const updated = expectStatus(await t.request("PUT", `/api/v1/media/${m.id}`, { token: dave.token, json: { description: "a square", focus: "2,-0.5" } }), 200);
      assertEntity("MediaAttachment", updated.body);
      assertResponse("PUT", "/api/v1/media/{id}", 200, updated.body);
      assert.equal(updated.body.description, "a square");
      assert.deepEqual(updated.body.meta.focus, { x: 1, y: -0.5 });
      assert.deepEqual(updated.body.meta.original, m.meta.original, "the geometry stays");
      expectStatus(await t.request("PUT", `/api/v1/media/${m.id}`, { token: dave.token, json: { description: "y".repeat(1501) } }), 422);

      const status = expectStatus(await t.request("POST", "/api/v1/statuses", { token: dave.token, json: { status: "", media_ids: [m.id] } }), 200);
      assert.equal(status.body.media_attachments[0].description, "a square");
      expectStatus(await t.request("PUT", `/api/v1/media/${m.id}`, { token: dave.token, json: { description: "late" } }), 404);
      expectStatus(await show(dave, m.id), 404);
      expectStatus(await t.request("DELETE", `/api/v1/media/${m.id}`, { token: dave.token }), 422, "Media attachment is currently used by a status");

      const loose = expectStatus(await upload(dave, "v2", { file: { data: await solidImage("png", 20, 20), name: "b.png" } }), 200).body;
      const deleted = expectStatus(await t.request("DELETE", `/api/v1/media/${loose.id}`, { token: dave.token }), 200);
      assert.deepEqual(deleted.body, {});
      expectStatus(await show(dave, loose.id), 404);
      assert.equal(await t.container.media.exists(keyOf(loose.url)), false, "its files are gone");
    });

    it("attaches media to statuses in the order given, renders them in timelines, and filters only_media", async () => {
      const [frank, grace] = await users(t, ["media_poster", "media_stranger"]);
      const ids: string[] = [];
      for (const side of [30, 40, 50, 60, 70]) ids.push(expectStatus(await upload(frank, "v2", { file: { data: await solidImage("png", side, side), name: "x.png" } }), 200).body.id);
      const theirs = expectStatus(await upload(grace, "v2", { file: { data: await solidImage("png", 10, 10), name: "y.png" } }), 200).body.id;

      expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "too many", media_ids: ids } }), 422, "Cannot attach more than 4 files");
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "poll", media_ids: [ids[0]], poll: { options: ["a", "b"], expires_in: 3600 } } }), 422, "Cannot attach more than 4 files");
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "not mine", media_ids: [theirs] } }), 422, `Media ${theirs} not found or already attached to another post`);
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "" } }), 422, "Validation failed: Text can't be blank");

      const order = [ids[2], ids[0], ids[3], ids[1]];
      const posted = await t.request("POST", "/api/v1/statuses", { token: frank.token, form: Object.fromEntries([["media_ids[]", order]]) as Record<string, string[]> });
      expectStatus(posted, 200);
      assertEntity("Status", posted.body);
      assert.equal(posted.body.content, "");
      assert.deepEqual(posted.body.media_attachments.map((m: any) => m.id), order);
      assertEntities("MediaAttachment", posted.body.media_attachments);
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "again", media_ids: [ids[0]] } }), 422, `Media ${ids[0]} not found or already attached to another post`);

      const text = expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "words only" } }), 200).body;
      const shown = expectStatus(await t.request("GET", `/api/v1/statuses/${posted.body.id}`, { token: grace.token }), 200);
      assert.deepEqual(shown.body.media_attachments, posted.body.media_attachments);
      const all = expectStatus(await t.request("GET", `/api/v1/accounts/${frank.accountId}/statuses`), 200).body;
      assert.deepEqual(all.map((s: any) => s.id), [text.id, posted.body.id]);
      assert.deepEqual(all[1].media_attachments.map((m: any) => m.id), order, "a page loads its media in order");
      const media = expectStatus(await t.request("GET", `/api/v1/accounts/${frank.accountId}/statuses?only_media=true`), 200).body;
      assert.deepEqual(media.map((s: any) => s.id), [posted.body.id]);

      // An edit replaces the attachments (reordered, one dropped, a new description), and may drop them all.
      const edited = expectStatus(await t.request("PUT", `/api/v1/statuses/${posted.body.id}`, {
        token: frank.token,
        json: { status: "now with words", media_ids: [ids[1], ids[2]], media_attributes: [{ id: ids[1], description: "second", focus: "0.1,0.2" }, { id: theirs, description: "ignored" }] },
      }), 200);
      assertEntity("Status", edited.body);
      assert.deepEqual(edited.body.media_attachments.map((m: any) => m.id), [ids[1], ids[2]]);
      assert.equal(edited.body.media_attachments[0].description, "second");
      assert.deepEqual(edited.body.media_attachments[0].meta.focus, { x: 0.1, y: 0.2 });
      assert.ok(edited.body.edited_at);
      const freed = expectStatus(await show(frank, ids[0]), 200, undefined);
      assert.equal(freed.body.id, ids[0], "a dropped attachment is free again");
      expectStatus(await t.request("PUT", `/api/v1/statuses/${posted.body.id}`, { token: frank.token, json: { status: "", media_ids: [] } }), 422, "Validation failed: Text can't be blank");
      expectStatus(await t.request("PUT", `/api/v1/statuses/${posted.body.id}`, { token: frank.token, json: { status: "x", media_ids: [theirs] } }), 422, `Media ${theirs} not found or already attached to another post`);
      const back = expectStatus(await t.request("PUT", `/api/v1/statuses/${posted.body.id}`, { token: frank.token, json: { status: "back", media_ids: order } }), 200);
      assert.deepEqual(back.body.media_attachments.map((m: any) => m.id), order);

      // Delete and redraft: the uploads come back free for a new post.
      const gone = expectStatus(await t.request("DELETE", `/api/v1/statuses/${posted.body.id}`, { token: frank.token }), 200);
      assert.deepEqual(gone.body.media_attachments.map((m: any) => m.id), order);
      const redraft = expectStatus(await t.request("POST", "/api/v1/statuses", { token: frank.token, json: { status: "redrafted", media_ids: order } }), 200);
      assert.deepEqual(redraft.body.media_attachments.map((m: any) => m.id), order);
    });

    it("processes video, audio and animated GIFs on a job (202, then 200 from GET) and records corrupt files as failed", async () => {
      const [heidi] = await users(t, ["media_video"]);
      const video = await upload(heidi, "v2", { file: { data: await testVideo({ container: "webm" }), name: "clip.webm", type: "video/webm" }, description: "a clip" });
      expectStatus(video, 202);
      assert.equal(video.body.type, "video");
      assert.equal(video.body.url, null);
      const gif = expectStatus(await upload(heidi, "v2", { file: { data: await animatedGif(), name: "loop.gif", type: "image/gif" } }), 202).body;
      assert.equal(gif.type, "gifv");
      const audio = expectStatus(await upload(heidi, "v2", { file: { data: await testAudio(), name: "tone.wav", type: "audio/wav" } }), 202).body;
      assert.equal(audio.type, "audio");
      const corrupt = expectStatus(await upload(heidi, "v2", { file: { data: corruptVideo(), name: "broken.mp4", type: "video/mp4" } }), 202).body;
      await t.drain(120_000);

      const v = expectStatus(await show(heidi, video.body.id), 200).body;
      assert.equal(v.type, "video");
      assert.equal(v.description, "a clip");
      assert.match(v.url, /\/original\/[0-9a-f]{32}\.mp4$/);
      assert.match(v.preview_url, /\/small\/[0-9a-f]{32}\.png$/);
      assert.equal(typeof v.blurhash, "string");
      assert.equal(v.meta.width, 320);
      assert.equal(v.meta.height, 240);
      assert.equal(v.meta.size, "320x240");
      assert.equal(v.meta.fps, 25);
      assert.ok(Math.abs(v.meta.duration - 1) < 0.2, `duration ${v.meta.duration}`);
      assert.match(v.meta.length, /^0:00:0\d\.\d\d$/);
      assert.match(v.meta.audio_encode, /^aac/);
      assert.equal(v.meta.audio_bitrate, "44100 Hz");
      assert.equal(v.meta.original.width, 320);
      assert.deepEqual(v.meta.small, { width: 320, height: 240, size: "320x240", aspect: 4 / 3 });
      const mp4 = await download(v.url);
      assert.equal(mp4.subarray(4, 8).toString("latin1"), "ftyp");
      assert.ok(mp4.indexOf("moov") < mp4.indexOf("mdat"), "+faststart puts the index first");

      const g = expectStatus(await show(heidi, gif.id), 200).body;
      assert.equal(g.type, "gifv");
      assert.match(g.url, /\.mp4$/);
      assert.equal(g.meta.audio_encode, undefined);
      assert.equal(g.meta.width, 160);

      const a = expectStatus(await show(heidi, audio.id), 200).body;
      assert.equal(a.type, "audio");
      assert.match(a.url, /\.mp3$/);
      assert.equal(a.preview_url, null);
      assert.equal(a.meta.audio_channels, "stereo");
      assert.ok(Math.abs(a.meta.duration - 1) < 0.2);
      const mp3 = await download(a.url);
      assert.ok(mp3.subarray(0, 3).toString("latin1") === "ID3" || (mp3[0] === 0xff && (mp3[1] & 0xe0) === 0xe0), "an MP3 file");

      expectStatus(await show(heidi, corrupt.id), 422, "Error processing thumbnail for uploaded media");
      const attachFailed = await t.request("POST", "/api/v1/statuses", { token: heidi.token, json: { status: "x", media_ids: [corrupt.id] } });
      expectStatus(attachFailed, 422, "Cannot attach files that have not finished processing. Try again in a moment!");
      const posted = expectStatus(await t.request("POST", "/api/v1/statuses", { token: heidi.token, json: { status: "watch", media_ids: [video.body.id] } }), 200);
      assert.equal(posted.body.media_attachments[0].url, v.url);
    });

    it("answers 206 while a job has yet to process an upload, and refuses to attach it", async () => {
      const [ivan] = await users(t, ["media_pending"]);
      // The worker may be quick: the 206 is checked when the GET comes before the job has run.
      const res = expectStatus(await upload(ivan, "v2", { file: { data: await testAudio(3), name: "long.wav" } }), 202).body;
      const pending = await show(ivan, res.id);
      if (pending.status === 206) {
        assert.equal(pending.body.url, null);
        expectStatus(await t.request("POST", "/api/v1/statuses", { token: ivan.token, json: { status: "x", media_ids: [res.id] } }), 422, /not finished processing/);
      } else expectStatus(pending, 200);
      await t.drain(60_000);
      assert.equal(expectStatus(await show(ivan, res.id), 200).body.type, "audio");
    });

    it("processes audio and video before answering on POST /api/v1/media, and refuses a corrupt one with 422", async () => {
      const [judy] = await users(t, ["media_sync"]);
      const video = expectStatus(await upload(judy, "v1", { file: { data: await testVideo({ audio: false }), name: "silent.mp4" } }), 200).body;
      assert.equal(video.type, "gifv", "a video without sound is a gifv, as in Mastodon");
      assert.match(video.url, /\.mp4$/);
      expectStatus(await upload(judy, "v1", { file: { data: corruptVideo(), name: "broken.mp4" } }), 422, "Error processing thumbnail for uploaded media");
      const thumbnail = await solidImage("jpeg", 100, 100);
      const withThumb = expectStatus(await upload(judy, "v1", { file: { data: await testAudio(), name: "a.wav" }, thumbnail: { data: thumbnail, name: "t.jpg" } }), 200).body;
      assert.match(withThumb.preview_url, /\/thumbnail\/[0-9a-f]{32}\.jpg$/);
      assert.deepEqual(withThumb.meta.small, { width: 100, height: 100, size: "100x100", aspect: 1 });
    });

    it("removes unattached uploads older than a day with their files, and keeps attached ones", async () => {
      const [ken] = await users(t, ["media_cleanup"]);
      const loose = expectStatus(await upload(ken, "v2", { file: { data: await solidImage("png", 12, 12), name: "a.png" } }), 200).body;
      const used = expectStatus(await upload(ken, "v2", { file: { data: await solidImage("png", 12, 12), name: "b.png" } }), 200).body;
      expectStatus(await t.request("POST", "/api/v1/statuses", { token: ken.token, json: { status: "kept", media_ids: [used.id] } }), 200);
      const c = t.container;
      const young = await removeUnattachedMedia({ db: c.db, media: c.media, clock: c.clock });
      assert.equal(await c.media.exists(keyOf(loose.url)), true, "a fresh upload stays");
      assert.ok(young.removed >= 0);
      const later = { now: () => Date.now() + 25 * 3_600_000 };
      const dry = await removeUnattachedMedia({ db: c.db, media: c.media, clock: later }, { dryRun: true });
      assert.ok(dry.removed >= 1);
      assert.equal(await c.media.exists(keyOf(loose.url)), true, "a dry run removes nothing");
      await removeUnattachedMedia({ db: c.db, media: c.media, clock: later });
      expectStatus(await show(ken, loose.id), 404);
      assert.equal(await c.media.exists(keyOf(loose.url)), false);
      assert.equal(await c.media.exists(keyOf(loose.preview_url)), false);
      assert.equal(await c.media.exists(keyOf(used.url)), true, "attached media stay");
    });

    it("reports the limits in force in the instance configuration", async () => {
      const res = expectStatus(await t.request("GET", "/api/v2/instance"), 200);
      const limits = res.body.configuration.media_attachments;
      assert.equal(limits.image_size_limit, 16 * 1024 * 1024);
      assert.equal(limits.video_size_limit, 99 * 1024 * 1024);
      assert.equal(limits.image_matrix_limit, 33_177_600);
      assert.equal(limits.description_limit, 1500);
      assert.ok(limits.supported_mime_types.includes("image/webp"));
    });
  });
}

describe("media limits are configurable (MAX_IMAGE_SIZE)", () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp("sqlite", { MAX_IMAGE_SIZE: "2000" });
  });
  after(() => t?.close());

  it("refuses a larger image with Mastodon's message and reports the limit", async () => {
    const me = await t.user("media_limited");
    const noisy = await sharp(randomBytes(200 * 200 * 3), { raw: { width: 200, height: 200, channels: 3 } }).png().toBuffer();
    assert.ok(noisy.length > 2000, `fixture is ${noisy.length} bytes`);
    expectStatus(await t.request("POST", "/api/v2/media", { token: me.token, form: uploadForm({ file: { data: noisy, name: "n.png" } }) }), 422, "Validation failed: File file size must be less than 1.95 KB");
    const res = expectStatus(await t.request("GET", "/api/v2/instance"), 200);
    assert.equal(res.body.configuration.media_attachments.image_size_limit, 2000);
  });
});

describe("media uploads past every limit are refused before they are read", () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp("sqlite", { MAX_IMAGE_SIZE: "1000", MAX_VIDEO_SIZE: "1000" });
  });
  after(() => t?.close());

  it("answers 413", async () => {
    const me = await t.user("media_huge");
    const huge = randomBytes(3 * 1024 * 1024);
    const res = await t.request("POST", "/api/v2/media", { token: me.token, form: uploadForm({ file: { data: huge, name: "huge.bin" } }) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error, "The upload is too large");
  });
});
