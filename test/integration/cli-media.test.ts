import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildContainer, type Container } from "../../src/app/container.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { loadConfig } from "../../src/config/load.ts";
import { mediaDeps } from "../../src/jobs/media.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { uploadMedia } from "../../src/services/media/upload-media.ts";
import { runHerd, tempDataDir } from "../support/cli.ts";
import { solidImage } from "../support/media-fixtures.ts";

describe("herd admin media", () => {
  const dataDir = tempDataDir();
  const env = { DATA_DIR: dataDir, LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" };
  let c: Container;
  let originalBytes = 0;
  let keys: string[] = [];
  before(async () => {
    c = await buildContainer(loadConfig(env), silentLogger, { role: "test", migrate: true, checks: false });
    const created = await createAccount(c.jobDeps, { username: "cli_media", email: "cli_media@example.com", password: "correct horse battery", role: "user", confirmed: true, approved: true });
    assert.ok(created.ok);
    for (const side of [40, 60]) {
      const m = await uploadMedia(mediaDeps(c.jobDeps), { accountId: created.value.account.accountId, file: await solidImage("png", side, side), delayProcessing: true });
      assert.ok(m.ok);
      originalBytes += m.value.fileSize ?? 0;
      keys.push(m.value.fileKey!, m.value.smallKey!);
    }
    await c.close();
  });
  after(() => c?.close());

  it("reports bytes by kind", async () => {
    const res = await runHerd(["admin", "media", "usage"], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /media store \(local\)/);
    const originals = new RegExp(`attachment originals\\s+2 files\\s+${originalBytes} bytes`);
    assert.match(res.stdout, originals);
    assert.match(res.stdout, /attachment previews\s+2 files/);
    assert.match(res.stdout, new RegExp(`image\\s+2 files\\s+${originalBytes} bytes`));
  });

  it("removes unattached uploads older than N days, with a dry run first", async () => {
    assert.equal((await runHerd(["admin", "media", "remove"], env)).code, 64, "--days is required");
    assert.equal((await runHerd(["admin", "media", "remove", "--days", "zero"], env)).code, 64);
    assert.equal((await runHerd(["admin", "media", "frobnicate"], env)).code, 64);
    // Fresh uploads are younger than a day: nothing goes.
    const none = await runHerd(["admin", "media", "remove", "--days", "1"], env);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /removed 0 unattached/);
    c = await buildContainer(loadConfig(env), silentLogger, { role: "test", checks: false });
    // Age them by two days in the database, as if uploaded then.
    await c.db.kysely.updateTable("media_attachments").set({ created_at: Date.now() - 2 * 86_400_000 }).execute();
    await c.close();
    const dry = await runHerd(["admin", "media", "remove", "--days", "1", "--dry-run"], env);
    assert.match(dry.stdout, new RegExp(`would remove 2 unattached .* ${originalBytes} bytes`));
    c = await buildContainer(loadConfig(env), silentLogger, { role: "test", checks: false });
    for (const key of keys) assert.equal(await c.media.exists(key), true);
    await c.close();
    const done = await runHerd(["admin", "media", "remove", "--days", "1"], env);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /removed 2 unattached/);
    c = await buildContainer(loadConfig(env), silentLogger, { role: "test", checks: false });
    for (const key of keys) assert.equal(await c.media.exists(key), false);
    assert.equal((await c.db.repos.media.usage()).length, 0);
  });
});
