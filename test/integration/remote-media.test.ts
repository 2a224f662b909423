import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { GuardedHttpClient } from "../../src/adapters/http/guarded-http-client.ts";
import { mediaDeps } from "../../src/jobs/media.ts";
import { removeRemoteMediaCacheHandler } from "../../src/jobs/remote-media.ts";
import type { Clock } from "../../src/ports/clock.ts";
import {
  DAY_MS, fetchRemoteMedia, fetchRemoteProfileImage, pruneRemoteProfileImages, removeRemoteMediaCache, requestRemoteProfileImages, type RemoteMediaDeps,
} from "../../src/services/media/remote-media.ts";
import { DEFAULT_SCHEDULE } from "../../src/scheduler/schedule.ts";
import { loadConfig } from "../../src/config/load.ts";
import { remoteAccount } from "../support/accounts.ts";
import { runHerd } from "../support/cli.ts";
import { jpegWithGps, solidImage, testVideo } from "../support/media-fixtures.ts";
import { assertEntity } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

/** The origin server of the remote media: counts requests per path, so re-fetches can be seen. */
async function origin(files: Record<string, { type: string; body: Buffer } | number>): Promise<{ server: Server; base: string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files[path];
    if (file === undefined || typeof file === "number") {
      res.writeHead(typeof file === "number" ? file : 404).end();
      return;
    }
    res.writeHead(200, { "content-type": file.type, "content-length": String(file.body.length) }).end(file.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** A clock the test moves forward (the retention period is in days). */
function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => (offset += ms) };
}

const IMAGE_LIMIT = 300_000;
const envelope = { id: "1", name: removeRemoteMediaCacheHandler.name, queue: "scheduler" as const, payload: { period: "test" }, attempt: 1, maxAttempts: 3, redelivered: false };

for (const v of appVariants) {
  describe(`remote media cache (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    let o: Awaited<ReturnType<typeof origin>>;
    let deps: RemoteMediaDeps;
    let clock: ReturnType<typeof movableClock>;
    let authorId: bigint;

    before(async () => {
      const noise = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 400, height: 400, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer();
      assert.ok(noise.length > IMAGE_LIMIT, "the oversized fixture is over the limit");
      o = await origin({
        "/photo.jpg": { type: "image/jpeg", body: await jpegWithGps(1200, 900) },
        "/second.png": { type: "image/png", body: await solidImage("png", 300, 200) },
        "/private.png": { type: "image/png", body: await solidImage("png", 30, 20) },
        "/big.png": { type: "image/png", body: noise },
        "/clip.mp4": { type: "video/mp4", body: await testVideo({ seconds: 1 }) },
        "/avatar.png": { type: "image/png", body: await solidImage("png", 600, 600) },
        "/gone.jpg": 410,
        "/flaky.jpg": 503,
      });
      t = await startTestApp(v.name, { ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32", MAX_IMAGE_SIZE: String(IMAGE_LIMIT), MEDIA_CACHE_RETENTION_PERIOD: "7" });
      clock = movableClock();
      deps = { ...mediaDeps(t.container.jobDeps), clock, http: t.container.http };
      // The worker gets the outgoing client as the container will give it (JobDeps.http), so queued fetches run.
      Object.assign(t.container.jobDeps, { http: t.container.http });
      authorId = BigInt(await remoteAccount(t, `pics${v.name.length}`, "pics.example"));
    });
    after(async () => {
      await t?.close();
      o?.server.close();
    });

    /** A remote attachment on a public remote status, as federation will store them. */
    async function remoteAttachment(path: string, type: "image" | "video" = "image"): Promise<{ mediaId: bigint; statusId: bigint }> {
      const mediaId = await t.container.db.nextId();
      const statusId = await t.container.db.nextId();
      await t.container.db.transaction(async (tx) => {
        await tx.remoteMedia.create({ id: mediaId, accountId: authorId, type, remoteUrl: `${o.base}${path}`, description: `remote ${path}`, blurhash: null, meta: { focus: { x: 0.1, y: 0.2 } }, now: clock.now() });
        await tx.statuses.create({
          id: statusId, accountId: authorId, text: `<p>look ${path}</p>`, spoilerText: "", visibility: "public", sensitive: false, language: "en",
          inReplyToId: null, inReplyToAccountId: null, applicationId: null, conversationId: statusId, now: clock.now(),
        });
        assert.equal(await tx.media.attach(statusId, authorId, [mediaId]), 1);
      });
      return { mediaId, statusId };
    }

    const statusMedia = async (statusId: bigint) => {
      const res = await t.request("GET", `/api/v1/statuses/${statusId}`);
      assert.equal(res.status, 200);
      assertEntity("Status", res.body);
      return res.body.media_attachments[0];
    };

    it("fetches a remote image through the guarded client and caches it like an upload", async () => {
      const { mediaId, statusId } = await remoteAttachment("/photo.jpg");
      const before = await statusMedia(statusId);
      assertEntity("MediaAttachment", before);
      assert.equal(before.remote_url, `${o.base}/photo.jpg`);
      assert.equal(before.url, `${t.baseUrl}/media_proxy/${mediaId}/original`, "not cached: the proxy URL, as Mastodon");
      assert.equal(before.preview_url, `${t.baseUrl}/media_proxy/${mediaId}/small`);

      const startedAt = clock.now();
      const fetched = await fetchRemoteMedia(deps, mediaId);
      assert.equal(o.hits.get("/photo.jpg"), 1);
      const m = (await t.container.db.repos.media.findById(mediaId))!;
      assert.equal(m.processing, "complete");
      assert.ok(m.fileKey && m.smallKey && m.blurhash);
      assert.deepEqual(fetched, { outcome: "cached", bytes: m.fileSize });
      assert.ok(m.lastUsedAt! >= startedAt && m.lastUsedAt! <= clock.now(), "last use recorded");
      assert.deepEqual(m.meta.focus, { x: 0.1, y: 0.2 }, "the origin's focus stays");
      // Upright (EXIF orientation 6) and without EXIF, so no GPS.
      assert.deepEqual([(m.meta.original as any).width, (m.meta.original as any).height], [900, 1200]);
      const stored = await t.container.media.get(m.fileKey!);
      const chunks: Buffer[] = [];
      for await (const c of stored!.body) chunks.push(c as Buffer);
      assert.equal((await sharp(Buffer.concat(chunks)).metadata()).exif, undefined);

      const after = await statusMedia(statusId);
      assert.equal(after.remote_url, `${o.base}/photo.jpg`);
      assert.equal(after.url, t.container.media.url(m.fileKey!), "cached: the local copy");
      assert.equal(after.preview_url, t.container.media.url(m.smallKey!));
      assert.equal(after.blurhash, m.blurhash);

      assert.deepEqual(await fetchRemoteMedia(deps, mediaId), { outcome: "skipped" }, "a repeated job does nothing");
      assert.equal(o.hits.get("/photo.jpg"), 1);
    });

    it("caches a remote video through ffmpeg", async () => {
      const { mediaId } = await remoteAttachment("/clip.mp4", "video");
      const r = await fetchRemoteMedia(deps, mediaId);
      assert.equal(r.outcome, "cached");
      const m = (await t.container.db.repos.media.findById(mediaId))!;
      assert.equal(m.type, "video");
      assert.ok(m.fileKey?.endsWith(".mp4") && m.smallKey);
      assert.equal(m.uploadKey, null);

      // The bytes decide the type: an origin that calls a PNG a video gets an image.
      const mislabelled = await remoteAttachment("/second.png", "video");
      assert.equal((await fetchRemoteMedia(deps, mislabelled.mediaId)).outcome, "cached");
      assert.equal((await t.container.db.repos.media.findById(mislabelled.mediaId))!.type, "image");
    });

    it("refuses a private address the operator did not allow, an oversized file and a gone one, keeping remote_url", async () => {
      const strict = new GuardedHttpClient({ allowedPrivateAddresses: [], userAgent: "Herd/test" });
      try {
        const { mediaId, statusId } = await remoteAttachment("/private.png");
        const r = await fetchRemoteMedia({ ...deps, http: strict }, mediaId);
        assert.equal(r.outcome, "refused");
        assert.match((r as { reason: string }).reason, /^forbidden_address/);
        assert.equal(o.hits.get("/private.png") ?? 0, 0, "no request reached the loopback server");
        const m = (await t.container.db.repos.media.findById(mediaId))!;
        assert.equal(m.processing, "failed");
        assert.equal(m.fileKey, null);
        const shown = await statusMedia(statusId);
        assert.equal(shown.remote_url, `${o.base}/private.png`);
      } finally {
        strict.close();
      }

      const big = await remoteAttachment("/big.png");
      const tooLarge = await fetchRemoteMedia(deps, big.mediaId);
      assert.equal(tooLarge.outcome, "refused");
      assert.match((tooLarge as { reason: string }).reason, /^too_large/);
      assert.equal((await t.container.db.repos.media.findById(big.mediaId))!.fileKey, null);

      const gone = await remoteAttachment("/gone.jpg");
      assert.deepEqual(await fetchRemoteMedia(deps, gone.mediaId), { outcome: "refused", reason: "the origin answered 410" });

      // A server error may pass: the job retries.
      const flaky = await remoteAttachment("/flaky.jpg");
      await assert.rejects(fetchRemoteMedia(deps, flaky.mediaId), /503/);
    });

    it("removes caches unused for the retention period, keeps the rows, and re-fetches on demand", async () => {
      const { mediaId, statusId } = await remoteAttachment("/second.png");
      assert.equal((await fetchRemoteMedia(deps, mediaId)).outcome, "cached");
      const cached = (await t.container.db.repos.media.findById(mediaId))!;
      const hitsBefore = o.hits.get("/second.png")!;
      assert.equal((await statusMedia(statusId)).url, t.container.media.url(cached.fileKey!), "rendered while cached");

      assert.deepEqual(await removeRemoteMediaCache(deps, { olderThanMs: 7 * DAY_MS }), { removed: 0, bytes: 0 }, "used just now: kept");
      clock.advance(8 * DAY_MS);
      const dry = await removeRemoteMediaCache(deps, { olderThanMs: 7 * DAY_MS, dryRun: true });
      assert.ok(dry.removed >= 1 && dry.bytes >= cached.fileSize!);
      assert.ok((await t.container.db.repos.media.findById(mediaId))!.fileKey, "a dry run removes nothing");

      // The scheduled job, with MEDIA_CACHE_RETENTION_PERIOD=7 and the clock 8 days on.
      assert.ok(DEFAULT_SCHEDULE.some((j) => j.job.name === removeRemoteMediaCacheHandler.name));
      // The instance settings carry MEDIA_CACHE_RETENTION_PERIOD (7 here) as the container passes them.
      const instance = { ...t.container.jobDeps.instance, mediaCacheRetentionDays: 7 };
      await removeRemoteMediaCacheHandler.run({ ...t.container.jobDeps, clock, instance: { ...instance, mediaCacheRetentionDays: null } }, { period: "test" }, envelope);
      assert.ok((await t.container.db.repos.media.findById(mediaId))!.fileKey, "no period set: nothing removed");
      await removeRemoteMediaCacheHandler.run({ ...t.container.jobDeps, clock, instance }, { period: "test" }, envelope);
      const removed = (await t.container.db.repos.media.findById(mediaId))!;
      assert.equal(removed.fileKey, null);
      assert.equal(removed.smallKey, null);
      assert.equal(removed.remoteUrl, `${o.base}/second.png`, "the row stays");
      assert.equal(await t.container.media.get(cached.fileKey!), null, "the file is gone");
      assert.equal(await t.container.media.get(cached.smallKey!), null);

      const shown = await statusMedia(statusId);
      assert.equal(shown.url, `${t.baseUrl}/media_proxy/${mediaId}/original`);
      // Someone views it: the proxy sends them to the origin meanwhile and queues the fetch on the pull queue.
      const viewed = await t.request("GET", `/media_proxy/${mediaId}/original`);
      assert.equal(viewed.status, 302);
      assert.equal(viewed.headers.get("location"), `${o.base}/second.png`);
      await t.drain();
      assert.equal(o.hits.get("/second.png"), hitsBefore + 1, "fetched again");
      const again = (await t.container.db.repos.media.findById(mediaId))!;
      assert.ok(again.fileKey && again.fileKey !== cached.fileKey);
      const original = await t.request("GET", `/media_proxy/${mediaId}`);
      assert.equal(original.status, 302);
      assert.equal(original.headers.get("location"), t.container.media.url(again.fileKey!));
      const local = await t.request("GET", `/media_proxy/${mediaId}/small`);
      assert.equal(local.status, 302);
      assert.equal(local.headers.get("location"), t.container.media.url(again.smallKey!));
      assert.equal((await statusMedia(statusId)).url, t.container.media.url(again.fileKey!));
    });

    it("the media proxy answers 404 for local media, unknown ids and non-public statuses", async () => {
      assert.equal((await t.request("GET", "/media_proxy/123/original")).status, 404);
      assert.equal((await t.request("GET", "/media_proxy/abc/original")).status, 404);
      const { mediaId, statusId } = await remoteAttachment("/second.png");
      assert.equal((await t.request("GET", `/media_proxy/${mediaId}/tiny`)).status, 404);
      await t.container.db.kysely.updateTable("statuses").set({ visibility: "private" }).where("id", "=", statusId).execute();
      assert.equal((await t.request("GET", `/media_proxy/${mediaId}/original`)).status, 404);
    });

    it("herd admin media remove --days N removes remote caches unused that long, and --prune-profiles profile images", async () => {
      const cfg = t.container.config;
      const env: Record<string, string> = { DATA_DIR: cfg.dataDir, LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" };
      if (cfg.database.kind === "postgres") Object.assign(env, { DATABASE_URL: cfg.database.url, REDIS_URL: cfg.redis.queueUrl!, REDIS_NAMESPACE: cfg.redis.namespace });
      const { mediaId } = await remoteAttachment("/second.png");
      assert.equal((await fetchRemoteMedia({ ...deps, clock: { now: () => Date.now() } }, mediaId)).outcome, "cached");
      const accountId = BigInt(await remoteAccount(t, `cli${v.name.length}`, "faces.example"));
      await t.container.db.repos.remoteMedia.setProfileUrls(accountId, { avatar: `${o.base}/avatar.png`, header: null });
      assert.equal((await fetchRemoteProfileImage({ ...deps, clock: { now: () => Date.now() } }, accountId, "avatar")).outcome, "cached");

      const usage = await runHerd(["admin", "media", "usage"], env);
      assert.equal(usage.code, 0, usage.stderr);
      const remote = await t.container.db.repos.remoteMedia.cacheUsage();
      assert.ok(remote.count >= 1 && remote.bytes > 0);
      assert.match(usage.stdout, /of which cached remote media: \d+ files, \d+ bytes/);

      const recent = await runHerd(["admin", "media", "remove", "--days", "7"], env);
      assert.equal(recent.code, 0, recent.stderr);
      assert.ok((await t.container.db.repos.media.findById(mediaId))!.fileKey, "used today: kept");
      // Rows dated in the past: last used ten days ago.
      const tenDaysAgo = Date.now() - 10 * DAY_MS;
      await t.container.db.kysely.updateTable("media_attachments").set({ last_used_at: tenDaysAgo }).where("id", "=", mediaId).execute();
      await t.container.db.kysely.updateTable("accounts").set({ profile_media_used_at: tenDaysAgo }).where("id", "=", accountId).execute();
      const dry = await runHerd(["admin", "media", "remove", "--days", "7", "--dry-run"], env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /would remove [1-9]\d* cached remote media/);
      assert.ok((await t.container.db.repos.media.findById(mediaId))!.fileKey);
      const done = await runHerd(["admin", "media", "remove", "--days", "7"], env);
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /removed [1-9]\d* cached remote media/);
      assert.equal((await t.container.db.repos.media.findById(mediaId))!.fileKey, null);
      assert.ok((await t.container.db.repos.remoteMedia.findProfile(accountId))!.avatarKey, "profiles only with --prune-profiles");
      const pruned = await runHerd(["admin", "media", "remove", "--days", "7", "--prune-profiles"], env);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.match(pruned.stdout, /removed [1-9]\d* cached avatar\(s\) and header\(s\)/);
      assert.equal((await t.container.db.repos.remoteMedia.findProfile(accountId))!.avatarKey, null);
    });

    it("caches a remote account's avatar and prunes unused profile images", async () => {
      const accountId = BigInt(await remoteAccount(t, `face${v.name.length}`, "faces.example"));
      await t.container.db.repos.remoteMedia.setProfileUrls(accountId, { avatar: `${o.base}/avatar.png`, header: null });
      assert.equal((await fetchRemoteProfileImage(deps, accountId, "avatar")).outcome, "cached");
      assert.deepEqual(await fetchRemoteProfileImage(deps, accountId, "header"), { outcome: "skipped" });
      const profile = (await t.container.db.repos.remoteMedia.findProfile(accountId))!;
      assert.ok(profile.avatarKey);
      const res = await t.request("GET", `/api/v1/accounts/${accountId}`);
      assert.equal(res.body.avatar, t.container.media.url(profile.avatarKey!));

      assert.equal((await pruneRemoteProfileImages(deps, { olderThanMs: 30 * DAY_MS })).removed, 0);
      clock.advance(31 * DAY_MS);
      assert.ok((await pruneRemoteProfileImages(deps, { olderThanMs: 30 * DAY_MS, dryRun: true })).removed >= 1);
      assert.ok((await t.container.db.repos.remoteMedia.findProfile(accountId))!.avatarKey, "a dry run keeps it");
      assert.ok((await pruneRemoteProfileImages(deps, { olderThanMs: 30 * DAY_MS })).removed >= 1);
      const pruned = (await t.container.db.repos.remoteMedia.findProfile(accountId))!;
      assert.equal(pruned.avatarKey, null);
      assert.equal(pruned.avatarRemoteUrl, `${o.base}/avatar.png`, "the origin URL stays for a later fetch");
      assert.equal(await t.container.media.get(profile.avatarKey!), null);

      // Federation queues the fetch on the pull queue; the worker fills the cache again.
      await requestRemoteProfileImages(deps, accountId);
      await t.drain();
      const refetched = (await t.container.db.repos.remoteMedia.findProfile(accountId))!;
      assert.ok(refetched.avatarKey && refetched.avatarKey !== profile.avatarKey);
      assert.equal(refetched.headerKey, null);
    });
  });
}

describe("MEDIA_CACHE_RETENTION_PERIOD", () => {
  it("is read in days and refused when not a positive whole number", () => {
    const base = { DATA_DIR: "/tmp/herd-retention-test", LOCAL_DOMAIN: "herd.test" };
    assert.equal(loadConfig({ ...base, MEDIA_CACHE_RETENTION_PERIOD: "14" }).mediaCacheRetentionDays, 14);
    assert.equal(loadConfig(base).mediaCacheRetentionDays, null);
    assert.throws(() => loadConfig({ ...base, MEDIA_CACHE_RETENTION_PERIOD: "two weeks" }), /MEDIA_CACHE_RETENTION_PERIOD must be a whole number/);
    assert.throws(() => loadConfig({ ...base, MEDIA_CACHE_RETENTION_PERIOD: "0" }), /MEDIA_CACHE_RETENTION_PERIOD must be between 1 and 36500/);
  });
});
