import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { buildContainer, openMediaStoreOf, type Container } from "../../src/app/container.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { createClientApp } from "../../src/app/roles.ts";
import { ConfigError } from "../../src/config/config.ts";
import { loadConfig } from "../../src/config/load.ts";
import { mediaDeps } from "../../src/jobs/media.ts";
import type { MediaStore } from "../../src/ports/media-store.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { uploadMedia } from "../../src/services/media/upload-media.ts";
import { createPostgresDatabaseUrl, SKIP_POSTGRES, uniqueName } from "../support/backends.ts";
import { childEnv, MAIN, runHerd, tempDataDir } from "../support/cli.ts";
import { solidImage } from "../support/media-fixtures.ts";
import { S3RVER_KEY, startFaultProxy, startS3rver, type TestS3Server } from "../support/s3-server.ts";

const BUCKETS = ["to-s3-sqlite", "to-s3-postgres", "from-s3-sqlite", "from-s3-postgres", "faulty"];

/** What a seeded instance holds: every key a row references, with the bytes and type stored under it. */
interface Seeded {
  readonly objects: Map<string, { bytes: Buffer; contentType: string }>;
  /** Referenced by a row but never stored: the migration must count it as missing at the source. */
  readonly missingKey: string;
  /** Key references in the database (what the migration reports as its total). */
  readonly references: number;
}

async function readAll(store: MediaStore, key: string): Promise<{ bytes: Buffer; contentType: string } | null> {
  const object = await store.get(key);
  if (!object) return null;
  return { bytes: Buffer.concat(await object.body.toArray()), contentType: object.contentType };
}

/**
 * An instance with real processed uploads, an avatar and header, a custom emoji, `extra` attachments written
 * straight to the store (many objects, cheaply), and one attachment whose file is missing.
 */
async function seed(c: Container, extra: number): Promise<Seeded> {
  const objects = new Map<string, { bytes: Buffer; contentType: string }>();
  const username = uniqueName("mig").slice(0, 30);
  const created = await createAccount(c.jobDeps, { username, email: `${username}@example.com`, password: "correct horse battery", role: "user", confirmed: true, approved: true });
  assert.ok(created.ok);
  const accountId = created.value.account.accountId;
  const put = async (key: string, contentType: string, size = 64 + Math.floor(Math.random() * 2000)) => {
    const bytes = randomBytes(size);
    await c.media.put(key, bytes, { contentType });
    objects.set(key, { bytes, contentType });
  };
  let references = 0;
  for (const side of [30, 50]) {
    const m = await uploadMedia(mediaDeps(c.jobDeps), { accountId, file: await solidImage("png", side, side), delayProcessing: true });
    assert.ok(m.ok);
    for (const key of [m.value.fileKey!, m.value.smallKey!]) {
      const stored = await readAll(c.media, key);
      assert.ok(stored, key);
      objects.set(key, stored);
      references++;
    }
  }
  const avatar = `accounts/avatars/${accountId}/original/${randomBytes(16).toString("hex")}.png`;
  const header = `accounts/headers/${accountId}/original/${randomBytes(16).toString("hex")}.jpeg`;
  await put(avatar, "image/png");
  await put(header, "image/jpeg");
  await c.db.kysely.updateTable("accounts").set({ avatar_key: avatar, header_key: header }).where("id", "=", accountId).execute();
  references += 2;
  const emojiId = await c.db.nextId();
  const image = `custom_emojis/images/${emojiId}/original/${randomBytes(16).toString("hex")}.gif`;
  const still = `custom_emojis/images/${emojiId}/static/${randomBytes(16).toString("hex")}.png`;
  await put(image, "image/gif");
  await put(still, "image/png");
  await c.db.kysely
    .insertInto("custom_emojis")
    .values({ id: emojiId, shortcode: uniqueName("e"), domain: null, image_key: image, static_key: still, category: null, visible_in_picker: true, disabled: false, created_at: Date.now(), updated_at: Date.now() })
    .execute();
  references += 2;
  const missingKey = `media_attachments/files/0/original/${randomBytes(16).toString("hex")}.png`;
  for (let i = 0; i <= extra; i++) {
    const id = await c.db.nextId();
    const fileKey = i === extra ? missingKey : `media_attachments/files/${id}/original/${randomBytes(16).toString("hex")}.png`;
    const smallKey = `media_attachments/files/${id}/small/${randomBytes(16).toString("hex")}.webp`;
    if (i < extra) await put(fileKey, "image/png");
    await put(smallKey, "image/webp");
    await c.db.repos.media.create({
      id, accountId, type: "image", processing: "complete", uploadKey: null, fileKey, fileContentType: "image/png", fileSize: 100,
      smallKey, thumbnailKey: null, meta: {}, description: null, blurhash: null, now: Date.now(),
    });
    references += 2;
  }
  return { objects, missingKey, references };
}

/** Every seeded object is in `store`, byte for byte, with its content type. */
async function assertAllIn(store: MediaStore, seeded: Seeded): Promise<void> {
  for (const [key, expected] of seeded.objects) {
    const found = await readAll(store, key);
    assert.ok(found, `${key} is in the ${store.kind} store`);
    assert.ok(found.bytes.equals(expected.bytes), `${key} is byte-identical`);
    assert.equal(found.contentType, expected.contentType, `${key} keeps its content type`);
  }
  assert.equal(await store.exists(seeded.missingKey), false);
}

function finalCounts(stdout: string): { done: number; total: number; copied: number; present: number; missing: number; failed: number; earlier: number } {
  const m = /done (\d+)\/(\d+): copied (\d+), already there (\d+), missing at the source (\d+), failed (\d+) \((\d+) recorded by an earlier run\)/.exec(stdout);
  assert.ok(m, `a final count in:\n${stdout}`);
  const [done, total, copied, present, missing, failed, earlier] = m.slice(1).map(Number);
  return { done, total, copied, present, missing, failed, earlier };
}

/** Starts `herd admin media migrate`, waits for a progress line with at least `atLeast` objects done, then kill -9. */
function killAfterProgress(args: string[], env: Record<string, string>, atLeast: number): Promise<{ stdout: string; done: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killedAt = -1;
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      stdout += d;
      if (killedAt >= 0) return;
      for (const m of stdout.matchAll(/progress (\d+)\//g)) {
        if (Number(m[1]) >= atLeast) {
          killedAt = Number(m[1]);
          child.kill("SIGKILL");
          break;
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL" || killedAt < 0) reject(new Error(`the migration was not killed mid-run (code ${code}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, done: killedAt });
    });
  });
}

const engines = [
  { name: "sqlite", skip: false },
  { name: "postgres", skip: SKIP_POSTGRES },
] as const;

describe("herd admin media migrate", () => {
  let s3: TestS3Server;
  before(async () => {
    s3 = await startS3rver(BUCKETS);
  });
  after(() => s3?.stop());

  const s3Env = (bucket: string): Record<string, string> => ({
    S3_BUCKET: bucket, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: "true", S3_PROTOCOL: "http", S3_PERMISSION: "",
    AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_KEY,
  });

  for (const engine of engines) {
    describe(engine.name, { skip: engine.skip }, () => {
      const drops: (() => Promise<void>)[] = [];
      after(async () => {
        for (const drop of drops) await drop();
      });
      const baseEnv = async (bucket: string): Promise<Record<string, string>> => {
        const env: Record<string, string> = { DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false", ...s3Env(bucket) };
        if (engine.name === "postgres") {
          const pg = await createPostgresDatabaseUrl();
          drops.push(pg.drop);
          env.DATABASE_URL = pg.url;
        }
        return env;
      };

      it("moves local media to S3: killed mid-run, served from either store meanwhile, resumed to completion", async () => {
        const env = await baseEnv(`to-s3-${engine.name}`);
        let c = await buildContainer(loadConfig(env), silentLogger, { role: "test", migrate: true, checks: false });
        let seeded: Seeded;
        try {
          assert.equal(c.media.kind, "local");
          seeded = await seed(c, 150);
        } finally {
          await c.close();
        }

        // Switched over: Herd writes to S3 and reads from S3, falling back to local disk.
        const migrating = { ...env, S3_ENABLED: "true", MEDIA_MIGRATION_FROM: "local" };
        const killed = await killAfterProgress(["admin", "media", "migrate", "--to", "s3", "--concurrency", "1"], migrating, 40);
        assert.match(killed.stdout, /moving media from local:.* to s3:\/\/to-s3-/);

        c = await buildContainer(loadConfig(migrating), silentLogger, { role: "test", checks: false });
        try {
          const recorded = await c.db.kysely.selectFrom("media_migration_keys").select(["key", "outcome"]).execute();
          assert.ok(recorded.length >= killed.done && recorded.length < seeded.objects.size, `killed part-way: ${recorded.length} of ${seeded.objects.size} recorded`);
          const copiedKeys = new Set(recorded.map((r) => r.key));
          const app = createClientApp(c);
          const bucket = await openMediaStoreOf(c.config.mediaStores.s3!, c.config.baseUrl);
          try {
            const notYet = [...seeded.objects.keys()].find((key) => !copiedKeys.has(key))!;
            assert.equal(await bucket.exists(notYet), false, "the key is not in the bucket yet");
            const alreadyCopied = [...copiedKeys].find((key) => seeded.objects.has(key))!;
            assert.equal(await bucket.exists(alreadyCopied), true);
            // Every URL is Herd's own /system/ while moving; it answers for both stores.
            for (const key of [notYet, alreadyCopied]) {
              const url = c.media.url(key);
              assert.equal(url, `${c.config.baseUrl}/system/${key}`);
              const res = await app.request(new URL(url).pathname);
              assert.equal(res.status, 200, key);
              assert.equal(res.headers.get("content-type"), seeded.objects.get(key)!.contentType);
              assert.ok(Buffer.from(await res.arrayBuffer()).equals(seeded.objects.get(key)!.bytes), `${key} served byte-identical`);
            }
            const ranged = await app.request(`/system/${notYet}`, { headers: { range: "bytes=2-9" } });
            assert.equal(ranged.status, 206);
            assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(seeded.objects.get(notYet)!.bytes.subarray(2, 10)));
            assert.equal((await app.request(`/system/${seeded.missingKey}`)).status, 404);

            // A file uploaded during the move goes to the bucket only, and is served too.
            const accountId = (await c.db.kysely.selectFrom("accounts").select("id").where("username", "like", "mig_%").executeTakeFirstOrThrow()).id;
            const m = await uploadMedia(mediaDeps(c.jobDeps), { accountId: BigInt(accountId), file: await solidImage("png", 20, 20), delayProcessing: true });
            assert.ok(m.ok);
            assert.equal(await bucket.exists(m.value.fileKey!), true);
            const local = await openMediaStoreOf(c.config.mediaStores.local, c.config.baseUrl);
            assert.equal(await local.exists(m.value.fileKey!), false);
            assert.equal((await app.request(new URL(c.media.url(m.value.fileKey!)).pathname)).status, 200);
            const uploaded = await readAll(bucket, m.value.fileKey!);
            seeded.objects.set(m.value.fileKey!, uploaded!);
            seeded.objects.set(m.value.smallKey!, (await readAll(bucket, m.value.smallKey!))!);
          } finally {
            await bucket.close();
          }
        } finally {
          await c.close();
        }

        const resumed = await runHerd(["admin", "media", "migrate", "--to", "s3", "--concurrency", "3"], migrating);
        assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
        const counts = finalCounts(resumed.stdout);
        assert.equal(counts.total, seeded.references + 2, "every key reference, with the upload made meanwhile");
        assert.equal(counts.done, counts.total);
        assert.equal(counts.missing, 1);
        assert.match(resumed.stdout, new RegExp(`missing at the source: ${seeded.missingKey}`));
        assert.equal(counts.failed, 0);
        assert.ok(counts.earlier >= killed.done, `resumed after the ${killed.done} done before the kill (${counts.earlier})`);
        assert.ok(counts.copied > 0 && counts.copied < seeded.objects.size, "only what was left is copied");
        assert.ok(counts.present >= 2, "the meanwhile upload was already in the bucket");

        // Finished: MEDIA_MIGRATION_FROM goes; URLs now point at the bucket and every object is there.
        c = await buildContainer(loadConfig({ ...env, S3_ENABLED: "true" }), silentLogger, { role: "test", checks: false });
        try {
          assert.equal(c.media.kind, "s3");
          await assertAllIn(c.media, seeded);
          const [key, expected] = [...seeded.objects][0];
          const res = await fetch(c.media.url(key));
          assert.equal(res.status, 200);
          assert.ok(Buffer.from(await res.arrayBuffer()).equals(expected.bytes));
        } finally {
          await c.close();
        }

        // Running again copies nothing.
        const again = await runHerd(["admin", "media", "migrate", "--to", "s3"], migrating);
        assert.equal(again.code, 0, again.stderr);
        const second = finalCounts(again.stdout);
        assert.equal(second.copied, 0);
        assert.equal(second.missing, 1, "a missing file is looked for again");
      });

      it("moves S3 media to local disk, serving /system/ from the bucket until copied", async () => {
        const env = await baseEnv(`from-s3-${engine.name}`);
        let c = await buildContainer(loadConfig({ ...env, S3_ENABLED: "true" }), silentLogger, { role: "test", migrate: true, checks: false });
        let seeded: Seeded;
        try {
          assert.equal(c.media.kind, "s3");
          seeded = await seed(c, 10);
          // The key walk pages through every table, a few rows at a time, and finds every referenced key.
          const walked: string[] = [];
          let cursor = null;
          do {
            const page = await c.db.repos.mediaMigration.referencedKeys(cursor, 3);
            walked.push(...page.keys);
            cursor = page.next;
          } while (cursor !== null);
          assert.equal(walked.length, seeded.references);
          assert.equal(await c.db.repos.mediaMigration.countReferencedKeys(), seeded.references);
          assert.deepEqual(new Set(walked), new Set([...seeded.objects.keys(), seeded.missingKey]));
        } finally {
          await c.close();
        }
        const migrating = { ...env, MEDIA_MIGRATION_FROM: "s3" };
        c = await buildContainer(loadConfig(migrating), silentLogger, { role: "test", checks: false });
        try {
          const app = createClientApp(c);
          const [key, expected] = [...seeded.objects][3];
          const url = c.media.url(key);
          assert.equal(url, `${c.config.baseUrl}/system/${key}`);
          const res = await app.request(new URL(url).pathname);
          assert.equal(res.status, 200, "served from the bucket before the copy");
          assert.ok(Buffer.from(await res.arrayBuffer()).equals(expected.bytes));
        } finally {
          await c.close();
        }

        const run = await runHerd(["admin", "media", "migrate", "--to", "local", "--concurrency", "2"], migrating);
        assert.equal(run.code, 0, run.stderr + run.stdout);
        const counts = finalCounts(run.stdout);
        assert.deepEqual(
          { total: counts.total, copied: counts.copied, present: counts.present, missing: counts.missing, failed: counts.failed },
          { total: seeded.references, copied: seeded.objects.size, present: 0, missing: 1, failed: 0 },
        );
        c = await buildContainer(loadConfig(env), silentLogger, { role: "test", checks: false });
        try {
          assert.equal(c.media.kind, "local");
          await assertAllIn(c.media, seeded);
        } finally {
          await c.close();
        }
      });
    });
  }

  it("counts a file the target refuses as failed, exits 1, and copies it on the next run", async () => {
    let refuse: string | null = null;
    const proxy = await startFaultProxy(s3.port, (req) =>
      refuse && req.method === "PUT" && req.url?.includes(refuse) ? { status: 403, code: "AccessDenied", message: "Access Denied" } : null,
    );
    try {
      const env = { DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false", ...s3Env("faulty"), S3_ENDPOINT: proxy.endpoint };
      const c = await buildContainer(loadConfig(env), silentLogger, { role: "test", migrate: true, checks: false });
      let seeded: Seeded;
      try {
        seeded = await seed(c, 3);
      } finally {
        await c.close();
      }
      const victim = [...seeded.objects.keys()].find((key) => key.startsWith("accounts/avatars/"))!;
      refuse = victim.split("/").pop()!;
      const first = await runHerd(["admin", "media", "migrate", "--to", "s3"], env);
      assert.equal(first.code, 1, first.stderr);
      assert.equal(finalCounts(first.stdout).failed, 1);
      assert.equal(finalCounts(first.stdout).copied, seeded.objects.size - 1);
      assert.match(first.stdout, new RegExp(`failed: ${victim}: `));
      assert.match(first.stderr, /1 file\(s\) could not be copied; run the same command again/);
      refuse = null;
      const second = await runHerd(["admin", "media", "migrate", "--to", "s3"], env);
      assert.equal(second.code, 0, second.stderr);
      const counts = finalCounts(second.stdout);
      assert.deepEqual([counts.copied, counts.failed, counts.earlier], [1, 0, seeded.objects.size - 1]);
    } finally {
      await proxy.stop();
    }
  });

  it("refuses wrong arguments with exit 64 and a message that names the mistake", async () => {
    const env = { DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" };
    const cases: [string[], RegExp][] = [
      [[], /needs --to s3 or --to local/],
      [["--to", "ftp"], /--to takes s3 or local, not "ftp"/],
      [["--to", "s3", "--concurrency", "0"], /--concurrency takes a whole number from 1 to 64/],
      [["--to", "s3", "--concurrency", "many"], /--concurrency takes a whole number/],
      [["--to", "s3", "--dry-run"], /dry-run/],
    ];
    for (const [args, message] of cases) {
      const res = await runHerd(["admin", "media", "migrate", ...args], env);
      assert.equal(res.code, 64, `${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr, message);
      assert.match(res.stderr, /herd admin media migrate --to s3\|local/, "the help follows");
    }
    const noBucket = await runHerd(["admin", "media", "migrate", "--to", "s3"], env);
    assert.equal(noBucket.code, 78, noBucket.stderr);
    assert.match(noBucket.stderr, /S3_BUCKET: --to s3 needs the bucket described/);
  });

  it("validates MEDIA_MIGRATION_FROM at start-up", () => {
    const base = { DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" };
    const refused = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadConfig({ ...base, ...env }), (error: unknown) => error instanceof ConfigError && error.variable === "MEDIA_MIGRATION_FROM" && pattern.test(error.message));
    refused({ MEDIA_MIGRATION_FROM: "ftp" }, /must be local or s3/);
    refused({ MEDIA_MIGRATION_FROM: "local" }, /names local, the store media is already kept in.*S3_ENABLED=true/);
    refused({ MEDIA_MIGRATION_FROM: "s3" }, /names s3 but no bucket is described/);
    refused({ MEDIA_MIGRATION_FROM: "s3", S3_ENABLED: "true", S3_BUCKET: "b" }, /names s3, the store media is already kept in/);
    const moving = loadConfig({ ...base, MEDIA_MIGRATION_FROM: "s3", S3_BUCKET: "old-bucket" });
    assert.equal(moving.media.kind, "local");
    assert.equal(moving.mediaMigrationFrom?.kind === "s3" && moving.mediaMigrationFrom.bucket, "old-bucket");
    assert.equal(loadConfig(base).mediaMigrationFrom, null);
  });
});
