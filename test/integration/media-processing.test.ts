import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { FfmpegVideoProcessor } from "../../src/adapters/ffmpeg/ffmpeg-video-processor.ts";
import { SharpImageProcessor } from "../../src/adapters/images/sharp-image-processor.ts";
import { buildContainer, type Container } from "../../src/app/container.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { loadConfig } from "../../src/config/load.ts";
import { DEFAULT_MEDIA_LIMITS, fitPixels, formatLength, hasId3Tag, humanSize, parseFocus, sniffMedia, VIDEO_OUTPUT } from "../../src/domain/media.ts";
import { mediaDeps } from "../../src/jobs/media.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { processQueuedMedia } from "../../src/services/media/process-media.ts";
import { uploadMedia } from "../../src/services/media/upload-media.ts";
import { tempDataDir } from "../support/cli.ts";
import { animatedGif, corruptVideo, jpegWithGps, pngBomb, solidImage, testAudio, testVideo } from "../support/media-fixtures.ts";

const LIMITS = { originalPixels: DEFAULT_MEDIA_LIMITS.imageOriginalPixels, smallPixels: DEFAULT_MEDIA_LIMITS.previewPixels, maxInputPixels: DEFAULT_MEDIA_LIMITS.imageMatrixLimit };
const ffmpeg = (timeoutMs = 120_000) => new FfmpegVideoProcessor({ ffmpeg: "ffmpeg", ffprobe: "ffprobe", timeoutMs });

/** A second of tone in another container, made by the ffmpeg on the machine. */
async function ffmpegAudio(extension: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "herd-audio-"));
  try {
    const out = join(dir, `tone.${extension}`);
    const r = spawnSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=d=1", out]);
    assert.equal(r.status, 0, String(r.stderr));
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("media rules", () => {
  it("sniffs the kind from magic numbers, whatever the name or type said", async () => {
    assert.deepEqual(sniffMedia(await jpegWithGps()), { family: "image", format: "jpeg" });
    assert.deepEqual(sniffMedia(await solidImage("png", 2, 2)), { family: "image", format: "png" });
    assert.deepEqual(sniffMedia(await solidImage("webp", 2, 2)), { family: "image", format: "webp" });
    assert.deepEqual(sniffMedia(await solidImage("gif", 2, 2)), { family: "image", format: "gif" });
    assert.deepEqual(sniffMedia(await testAudio()), { family: "av", guess: "audio" });
    assert.deepEqual(sniffMedia(await testVideo({ container: "webm", audio: false })), { family: "av", guess: "video" });
    assert.deepEqual(sniffMedia(corruptVideo()), { family: "av", guess: "video" });
    assert.equal(sniffMedia(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'></svg>")), null);
    assert.equal(sniffMedia(Buffer.from("%PDF-1.7 whatever follows")), null);
  });

  it("parses focus as Mastodon, formats sizes and durations, fits pixels", () => {
    assert.deepEqual(parseFocus("0.5,-0.25"), { x: 0.5, y: -0.25 });
    assert.deepEqual(parseFocus("3,junk"), { x: 1, y: 0 });
    assert.equal(parseFocus(""), undefined);
    assert.equal(humanSize(16 * 1024 * 1024), "16 MB");
    assert.equal(humanSize(99 * 1024 * 1024), "99 MB");
    assert.equal(humanSize(2000), "1.95 KB");
    assert.equal(formatLength(88.65), "0:01:28.65");
    assert.equal(formatLength(3725.5), "1:02:05.50");
    assert.deepEqual(fitPixels(3840, 2160, 8_294_400), { width: 3840, height: 2160 });
    const big = fitPixels(8000, 4000, 8_294_400);
    assert.ok(big.width * big.height <= 8_294_400 && big.width === 2 * big.height);
  });
});

describe("image processing (sharp)", () => {
  const images = new SharpImageProcessor();

  it("strips EXIF with GPS, applies the orientation, and computes a blurhash", async () => {
    const input = await jpegWithGps(400, 300);
    const before = await sharp(input).metadata();
    assert.ok(before.exif && before.exif.length > 100);
    assert.equal(before.orientation, 6);
    const out = await images.attachmentImages(input, LIMITS);
    assert.ok(!("problem" in out));
    for (const file of [out.original, out.small]) {
      const meta = await sharp(file.data).metadata();
      assert.equal(meta.exif, undefined, "no EXIF block, so no GPS");
      assert.equal(meta.icc, undefined);
      assert.equal(meta.xmp, undefined);
      assert.equal(meta.orientation, undefined);
      assert.ok(!file.data.includes(Buffer.from("HerdCam")), "not even the camera name");
    }
    assert.equal(out.original.width, 300);
    assert.equal(out.original.height, 400);
    assert.equal(out.original.contentType, "image/jpeg");
    assert.match(out.blurhash ?? "", /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{36}$/);
  });

  it("measures a 30,000×30,000 PNG bomb from its header and refuses it without decoding", async () => {
    const bomb = pngBomb();
    const rss = process.memoryUsage().rss;
    assert.deepEqual(await images.inspect(bomb), { format: "png", width: 30_000, height: 30_000, pages: 1 });
    assert.deepEqual(await images.attachmentImages(bomb, LIMITS), { problem: "too_large" });
    assert.deepEqual(await images.preview(bomb, { smallPixels: 230_400, maxInputPixels: 33_177_600 }), { problem: "too_large" });
    assert.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, "no gigabytes were allocated");
  });

  it("reads animated GIFs' frames, and gives a preview of a still", async () => {
    const info = await images.inspect(await animatedGif(80, 60));
    assert.equal(info?.format, "gif");
    assert.ok((info?.pages ?? 0) > 1);
    const preview = await images.preview(await solidImage("png", 1280, 720), { smallPixels: 230_400, maxInputPixels: 33_177_600 });
    assert.ok(!("problem" in preview));
    assert.deepEqual([preview.small.width, preview.small.height], [640, 360]);
  });
});

describe("audio and video processing (ffmpeg)", () => {
  const video = ffmpeg();

  it("transcodes to H.264/AAC MP4 with faststart, within 1920×1080 and at most 60 fps, with a first frame", async () => {
    const input = await testVideo({ width: 2400, height: 200, rate: 100, seconds: 1, container: "webm" });
    const source = await video.probe(input);
    assert.equal(source?.video?.codec, "vp8");
    const out = await video.transcodeVideo(input, { ...VIDEO_OUTPUT, audio: true, maxOutputBytes: 50 * 1024 * 1024 });
    assert.ok(!("problem" in out), JSON.stringify(out));
    assert.equal(out.streams.video?.codec, "h264");
    assert.equal(out.streams.audio?.codec, "aac");
    assert.equal(out.streams.video?.width, 1920);
    assert.equal(out.streams.video?.height, 160);
    assert.ok((out.streams.video?.fps ?? 0) <= 60, `fps ${out.streams.video?.fps}`);
    assert.ok(out.data.indexOf("moov") < out.data.indexOf("mdat"), "moov before mdat");
    assert.equal((await sharp(out.frame).metadata()).format, "png");
  });

  it("turns audio into MP3 with its duration, and leaves gifv silent", async () => {
    const audio = await video.transcodeAudio(await testAudio(2), { maxOutputBytes: 10 * 1024 * 1024 });
    assert.ok(!("problem" in audio));
    assert.equal(audio.streams.audio?.codec, "mp3");
    assert.ok(Math.abs((audio.streams.duration ?? 0) - 2) < 0.2);
    const gif = await video.transcodeVideo(await animatedGif(), { ...VIDEO_OUTPUT, audio: false, maxOutputBytes: 10 * 1024 * 1024 });
    assert.ok(!("problem" in gif));
    assert.equal(gif.streams.audio, null);
    assert.equal(gif.streams.video?.width, 160);
  });

  it("reports corrupt files, time and size overruns as problems instead of throwing", async () => {
    assert.equal(await video.probe(corruptVideo()), null);
    const corrupt = await video.transcodeVideo(corruptVideo(), { ...VIDEO_OUTPUT, audio: true, maxOutputBytes: 1024 * 1024 });
    assert.equal("problem" in corrupt && corrupt.problem, "unreadable");
    const slow = await ffmpeg(1).transcodeAudio(await testAudio(), { maxOutputBytes: 1024 * 1024 });
    assert.ok("problem" in slow && (slow.problem === "timeout" || slow.problem === "unreadable"), JSON.stringify(slow));
    const small = await video.transcodeAudio(await testAudio(5), { maxOutputBytes: 2_000 });
    assert.equal("problem" in small && small.problem, "too_large");
    const missing = await new FfmpegVideoProcessor({ ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe", timeoutMs: 5_000 }).probe(await testAudio());
    assert.equal(missing, null, "a missing executable is a refused file, not a crash");
  });
});

describe("queued processing (services over a real container)", () => {
  let c: Container;
  let accountId: bigint;
  before(async () => {
    c = await buildContainer(loadConfig({ DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" }), silentLogger, { role: "test", migrate: true, checks: false });
    const created = await createAccount(c.jobDeps, { username: "media_service", email: "media_service@example.com", password: "correct horse battery", role: "user", confirmed: true, approved: true });
    assert.ok(created.ok);
    accountId = created.value.account.accountId;
  });
  after(() => c?.close());

  it("queues an upload with a job, processes it once, and records a corrupt one as failed", async () => {
    const deps = mediaDeps(c.jobDeps);
    const queued = await uploadMedia(deps, { accountId, file: await testVideo(), delayProcessing: true, focus: "0,0.5" });
    assert.ok(queued.ok);
    assert.equal(queued.value.processing, "queued");
    assert.equal(queued.value.type, "video");
    assert.ok(queued.value.uploadKey && (await c.media.exists(queued.value.uploadKey)));
    const done = await processQueuedMedia(deps, queued.value.id);
    assert.equal(done.outcome, "complete");
    if (done.outcome !== "complete") return;
    assert.equal(done.media.type, "video");
    assert.equal(done.media.uploadKey, null);
    assert.equal(await c.media.exists(queued.value.uploadKey), false, "the raw upload is removed");
    assert.deepEqual(done.media.meta.focus, { x: 0, y: 0.5 });
    assert.equal(done.media.fileContentType, "video/mp4");
    assert.deepEqual(await processQueuedMedia(deps, queued.value.id), { outcome: "skipped" }, "a repeated job does nothing");

    const bad = await uploadMedia(deps, { accountId, file: corruptVideo(), delayProcessing: true });
    assert.ok(bad.ok);
    const failed = await processQueuedMedia(deps, bad.value.id);
    assert.equal(failed.outcome, "failed");
    const record = await c.db.repos.media.findById(bad.value.id);
    assert.equal(record?.processing, "failed");
    assert.match(record?.processingError ?? "", /could not be verified/);
    assert.equal(await c.media.exists(bad.value.uploadKey!), false);
  });

  it("refuses an ID3-tagged HLS playlist that would pull in another local file, and ID3 before anything but MP3", async () => {
    const deps = mediaDeps(c.jobDeps);
    const mp3 = await ffmpeg().transcodeAudio(await testAudio(), { maxOutputBytes: 1024 * 1024 });
    assert.ok(!("problem" in mp3));
    assert.ok(hasId3Tag(mp3.data), "ffmpeg's MP3 opens with an ID3 tag");
    const dir = await mkdtemp(join(tmpdir(), "herd-hls-"));
    try {
      // Someone else's file on the same disk; the playlist names it as its only segment.
      const other = join(dir, "someone-elses.mp3");
      await writeFile(other, mp3.data);
      const playlist = Buffer.concat([
        Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]),
        Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1,\n${other}\n#EXT-X-ENDLIST\n`),
      ]);
      assert.deepEqual(sniffMedia(playlist), { family: "av", guess: "audio" }, "the sniffer lets it through to ffmpeg");
      assert.equal(await ffmpeg().probe(playlist), null, "ffprobe reads no streams from it");
      const converted = await ffmpeg().transcodeAudio(playlist, { maxOutputBytes: 1024 * 1024 });
      assert.ok("problem" in converted, "ffmpeg converts nothing from it");

      const refused = await uploadMedia(deps, { accountId, file: playlist, delayProcessing: false });
      assert.ok(!refused.ok, "the upload is refused");
      assert.equal(refused.error.kind, "processing_failed", "answered 422 by the routes");
      const queued = await uploadMedia(deps, { accountId, file: playlist, delayProcessing: true });
      assert.ok(queued.ok);
      assert.equal((await processQueuedMedia(deps, queued.value.id)).outcome, "failed");
      const record = await c.db.repos.media.findById(queued.value.id);
      assert.equal(record?.processing, "failed");
      assert.equal(record?.fileKey, null, "nothing was stored from the other file");
      assert.equal(record?.meta.original, undefined);

      // An ID3 tag in front of FLAC, Ogg or AAC is not an MP3: refused although ffprobe could read what follows.
      const flac = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]), await ffmpegAudio("flac")]);
      const tagged = await uploadMedia(deps, { accountId, file: flac, delayProcessing: false });
      assert.ok(!tagged.ok);
      assert.equal(tagged.error.kind, "processing_failed");
      const real = await uploadMedia(deps, { accountId, file: mp3.data, delayProcessing: false });
      assert.ok(real.ok, "a real ID3-tagged MP3 is still accepted");
      assert.equal(real.value.type, "audio");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
