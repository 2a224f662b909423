import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRestAPIClient, type mastodon } from "masto";
import megalodon from "megalodon";
import sharp from "sharp";
import { listen, type RunningServer } from "../../src/app/http-server.ts";
import { assertEntity } from "../support/openapi.ts";
import { jpegWithGps, solidImage, testVideo } from "../support/media-fixtures.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

// megalodon is CommonJS: under Node's ESM loader its default export arrives as `.default`.
const generator = megalodon.default;

const blob = (data: Buffer, type: string) => new Blob([new Uint8Array(data)], { type });

/**
 * The status of a refused request. masto.js wraps error responses in MastoHttpError, but only when the
 * Response is its realm's class: here, in one process beside the server, the raw Response can come through.
 */
const httpStatus = (e: any): number | undefined => e?.statusCode ?? (e instanceof Response ? e.status : e?.status);

/** Polls GET /api/v1/media/:id as apps do after a 202, until the file is there (or the deadline passes). */
async function pollUntilProcessed(masto: mastodon.rest.Client, id: string, deadline = Date.now() + 60_000): Promise<mastodon.v1.MediaAttachment> {
  for (;;) {
    const m = await masto.v1.media.$select(id).fetch();
    if (m.url) return m;
    if (Date.now() > deadline) throw new Error(`media ${id} still processing`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Media as apps upload it, over real HTTP: masto.js sends an image (v2, 200 with a url at once) and videos
 * (202 with url null, then processed on a job and polled to completion, once by hand and once by masto.js's
 * own waiting), posts them (a video alone, as Mastodon refuses video beside other media) and reads them back on
 * the statuses; megalodon uploads an image and posts it.
 */
for (const v of appVariants) {
  describe(`media with masto.js and megalodon (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let server: RunningServer;
    let url: string;
    let dir: string;
    // URLs name the instance's domain (herd.test); the files are fetched from the listening server.
    const onServer = (u: string) => `${url}${new URL(u).pathname}`;

    before(async () => {
      t = await startTestApp(v.name);
      server = await listen(t.app, "127.0.0.1", 0);
      url = `http://127.0.0.1:${server.port}`;
      dir = await mkdtemp(join(tmpdir(), "herd-media-e2e-"));
    });
    after(async () => {
      await server?.close(2_000);
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("masto.js uploads an image and videos, posts them and reads them back", async () => {
      const alice = await t.user("media_alice");
      const masto = createRestAPIClient({ url, accessToken: alice.token });

      const image = await masto.v2.media.create({ file: blob(await jpegWithGps(800, 600), "image/jpeg"), description: "A red square", focus: "0.5,-0.5" });
      assert.equal(image.type, "image");
      assert.match(image.url ?? "", /^http:\/\/herd\.test\/system\/media_attachments\/files\/\d+\/original\/[0-9a-f]{32}\.jpg$/);
      assert.ok(image.previewUrl);
      assert.equal(image.description, "A red square");
      assert.ok(image.blurhash);
      // The EXIF orientation (6) is applied: stored 800×600, upright 600×800.
      assert.deepEqual([image.meta?.original?.width, image.meta?.original?.height], [600, 800]);
      assert.deepEqual(image.meta?.focus, { x: 0.5, y: -0.5 });
      const served = await fetch(onServer(image.url!));
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("content-type"), "image/jpeg");
      const servedMeta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      assert.equal(servedMeta.exif, undefined, "no EXIF (and so no GPS) in the served file");

      // The raw answer to a video upload is 202 with url null; masto.js hands it back as it is with skipPolling.
      const clip = await testVideo({ seconds: 1 });
      const queued = await masto.v2.media.create({ file: blob(clip, "video/mp4"), description: "A test pattern", skipPolling: true });
      assert.equal(queued.type, "video");
      assert.equal(queued.url, null);
      const video = await pollUntilProcessed(masto, queued.id);
      assert.equal(video.type, "video");
      assert.ok(video.url?.endsWith(".mp4"));
      assert.ok(video.previewUrl, "a preview from the first frame");
      // masto.js's MediaAttachmentMeta types only original/small/focus; Mastodon's video meta has these at the top.
      assert.equal((video.meta as any)?.width, 320);
      assert.equal((video.meta as any)?.height, 240);
      // masto.js camel-cases what it returns: the wire JSON is checked against the entity schema directly.
      const processed = await fetch(`${url}/api/v1/media/${queued.id}`, { headers: { authorization: `Bearer ${alice.token}` } });
      assert.equal(processed.status, 200);
      assertEntity("MediaAttachment", await processed.json());

      // masto.js's own waiting (it polls GET /api/v1/media/:id until url is set): a silent clip becomes gifv.
      const gifv = await masto.v2.media.create({ file: blob(await testVideo({ seconds: 1, audio: false }), "video/mp4") });
      assert.equal(gifv.type, "gifv");
      assert.ok(gifv.url?.endsWith(".mp4"));

      const withImage = await masto.v1.statuses.create({ status: "A picture", mediaIds: [image.id] });
      assert.deepEqual(withImage.mediaAttachments.map((m) => m.id), [image.id]);
      await assert.rejects(
        masto.v1.statuses.create({ status: "Both at once", mediaIds: [video.id, gifv.id] }),
        (e: any) => {
          assert.equal(httpStatus(e), 422);
          return true;
        },
      );
      const withVideo = await masto.v1.statuses.create({ status: "A video", mediaIds: [video.id] });
      const withGifv = await masto.v1.statuses.create({ status: "A loop", mediaIds: [gifv.id] });

      const readImage = await masto.v1.statuses.$select(withImage.id).fetch();
      const wire = (await (await fetch(`${url}/api/v1/statuses/${withImage.id}`, { headers: { authorization: `Bearer ${alice.token}` } })).json()) as any;
      assertEntity("Status", wire);
      assertEntity("MediaAttachment", wire.media_attachments[0]);
      assert.equal(wire.media_attachments[0].meta.original.width, 600);
      assert.equal(readImage.mediaAttachments.length, 1);
      assert.equal(readImage.mediaAttachments[0].url, image.url);
      assert.equal(readImage.mediaAttachments[0].description, "A red square");
      const readVideo = await masto.v1.statuses.$select(withVideo.id).fetch();
      assert.deepEqual(readVideo.mediaAttachments.map((m) => [m.id, m.type, m.url]), [[video.id, "video", video.url]]);
      const readGifv = await masto.v1.statuses.$select(withGifv.id).fetch();
      assert.deepEqual(readGifv.mediaAttachments.map((m) => [m.id, m.type]), [[gifv.id, "gifv"]]);

      // Once attached, the upload is no longer the uploader's to edit (Mastodon scopes PUT to status_id nil).
      await assert.rejects(masto.v1.media.$select(image.id).update({ description: "changed" }), (e: any) => httpStatus(e) === 404);
    });

    it("megalodon uploads an image and posts it", async () => {
      const bob = await t.user("media_bob");
      const meg = generator("mastodon", url, bob.token);
      const path = join(dir, "bob.png");
      await writeFile(path, await solidImage("png", 320, 200));
      const uploaded = (await meg.uploadMedia(createReadStream(path), { description: "A blue rectangle" })).data as any;
      assertEntity("MediaAttachment", uploaded);
      assert.equal(uploaded.type, "image");
      assert.ok(uploaded.url);
      assert.equal(uploaded.meta.original.width, 320);
      assert.equal(uploaded.meta.original.height, 200);
      const fetched = (await meg.getMedia(uploaded.id)).data;
      assert.equal(fetched.id, uploaded.id);
      assert.equal(fetched.description, "A blue rectangle");
      const posted = (await meg.postStatus("Blue", { media_ids: [uploaded.id] })).data as any;
      assert.deepEqual(posted.media_attachments.map((m: any) => m.id), [uploaded.id]);
      const read = (await meg.getStatus(posted.id)).data;
      assert.equal(read.media_attachments[0].url, uploaded.url);
      assert.equal((await fetch(onServer(uploaded.url))).status, 200);
    });
  });
}
