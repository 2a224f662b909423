import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LocalMediaStore } from "../../src/adapters/local/local-media-store.ts";
import { MigratingMediaStore } from "../../src/adapters/migrating-media-store.ts";

async function stores() {
  const target = new LocalMediaStore(await mkdtemp(join(tmpdir(), "herd-new-")), "http://herd.test");
  const source = new LocalMediaStore(await mkdtemp(join(tmpdir(), "herd-old-")), "http://herd.test");
  return { target, source, store: new MigratingMediaStore(target, source, "http://herd.test/") };
}

async function text(store: { get(key: string, range?: { start: number; end?: number }): Promise<{ body: NodeJS.ReadableStream } | null> }, key: string, range?: { start: number; end?: number }) {
  const object = await store.get(key, range);
  return object ? Buffer.concat(await (object.body as any).toArray()).toString() : null;
}

describe("MigratingMediaStore", () => {
  it("writes to the new store and reads from it, falling back to the old one", async () => {
    const { target, source, store } = await stores();
    await source.put("a/old.png", Buffer.from("old bytes"), { contentType: "image/png" });
    await source.put("a/both.png", Buffer.from("stale"), { contentType: "image/png" });
    await target.put("a/both.png", Buffer.from("fresh"), { contentType: "image/png" });
    await store.put("a/new.png", Buffer.from("new bytes"), { contentType: "image/webp" });
    assert.equal(await source.exists("a/new.png"), false, "writes go to the new store only");
    assert.equal(await text(target, "a/new.png"), "new bytes");
    assert.equal(await text(store, "a/old.png"), "old bytes");
    assert.equal(await text(store, "a/old.png", { start: 4, end: 8 }), "bytes", "ranges reach the old store too");
    assert.equal(await text(store, "a/both.png"), "fresh", "the new store wins");
    const typed = await store.get("a/new.png");
    typed?.body.destroy();
    assert.equal(typed?.contentType, "image/webp");
    assert.equal(await store.get("a/none.png"), null);
    assert.equal(await store.exists("a/old.png"), true);
    assert.equal(await store.exists("a/none.png"), false);
  });

  it("deletes from both stores", async () => {
    const { target, source, store } = await stores();
    await source.put("k/x.png", Buffer.from("1"), { contentType: "image/png" });
    await target.put("k/x.png", Buffer.from("1"), { contentType: "image/png" });
    await store.delete("k/x.png");
    assert.equal(await source.exists("k/x.png"), false);
    assert.equal(await target.exists("k/x.png"), false);
    await store.delete("k/never.png");
  });

  it("lists both stores merged in key order, each key once", async () => {
    const { target, source, store } = await stores();
    for (const key of ["p/a", "p/c", "p/e"]) await source.put(key, Buffer.from("old"), { contentType: "image/png" });
    for (const key of ["p/b", "p/c", "p/d"]) await target.put(key, Buffer.from("newer"), { contentType: "image/png" });
    assert.deepEqual(await store.list("p/", null, 10), [
      { key: "p/a", size: 3 }, { key: "p/b", size: 5 }, { key: "p/c", size: 5 }, { key: "p/d", size: 5 }, { key: "p/e", size: 3 },
    ]);
    assert.deepEqual((await store.list("p/", null, 3)).map((o) => o.key), ["p/a", "p/b", "p/c"]);
    assert.deepEqual((await store.list("p/", "p/c", 3)).map((o) => o.key), ["p/d", "p/e"]);
  });

  it("hands out Herd's /system/ URLs, which answer for either store", async () => {
    const { store } = await stores();
    assert.equal(store.url("media_attachments/files/1/original/a b.png"), "http://herd.test/system/media_attachments/files/1/original/a%20b.png");
    assert.equal(store.kind, "local", "so the /system/ route is mounted");
    assert.throws(() => store.url("../etc/passwd"), /invalid media key/);
  });
});
