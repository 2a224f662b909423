import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { RangeNotSatisfiableError, type MediaStore } from "../../src/ports/media-store.ts";

/** A store under test, how to release it, and (when its URLs are served) how to fetch one. */
export interface MediaStoreHarness {
  readonly store: MediaStore;
  close(): Promise<void>;
  /** Fetches a public URL the store handed out: status, headers, body. Absent when nothing serves the URLs. */
  fetchUrl?(url: string): Promise<{ status: number; headers: Headers; body: Buffer }>;
  /**
   * Why the byte-order listing test cannot run against this backend. s3rver lists in directory-walk order, so
   * `a-x` comes after `a/…` there although S3 (and the port) order keys by their bytes.
   */
  skipByteOrder?: string;
}

const MiB = 1024 * 1024;

async function bytesOf(body: Readable): Promise<Buffer> {
  return Buffer.concat(await body.toArray());
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A stream of `data` in 64 KiB chunks, like an upload arriving from a socket. */
function streamOf(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += 64 * 1024) yield data.subarray(at, at + 64 * 1024);
    })(),
  );
}

/** A stream that sends some bytes, then fails: an upload cut off half-way. */
function failingStream(bytes: number): Readable {
  return Readable.from(
    (async function* () {
      yield randomBytes(bytes);
      throw new Error("client went away");
    })(),
  );
}

/**
 * What every MediaStore adapter must do. Each suite gets one store; tests keep to their own random prefix, so a
 * bucket or directory may be shared.
 */
export function mediaStoreContract(name: string, make: () => Promise<MediaStoreHarness>): void {
  describe(`MediaStore contract: ${name}`, () => {
    let harness: MediaStoreHarness;
    let store: MediaStore;
    const run = `contract-${randomBytes(4).toString("hex")}`;

    before(async () => {
      harness = await make();
      store = harness.store;
    });
    after(async () => {
      await harness?.close();
    });

    it("passes its start-up check", async () => {
      await store.check();
    });

    it("stores a Buffer and reads back the same bytes, size and content type", async () => {
      const key = `${run}/buffer/original/ab12cd.png`;
      const data = randomBytes(70_000);
      await store.put(key, data, { contentType: "image/png" });
      const stored = await store.get(key);
      assert.ok(stored);
      assert.equal(stored.size, data.length);
      assert.equal(stored.contentType, "image/png");
      assert.equal(stored.range, undefined);
      assert.deepEqual(await bytesOf(stored.body), data);
    });

    it("keeps the content type given at upload, not one guessed from the extension", async () => {
      const key = `${run}/types/original/file.png`;
      await store.put(key, Buffer.from("not really a png"), { contentType: "text/plain; charset=utf-8" });
      const stored = await store.get(key);
      assert.ok(stored);
      assert.equal(stored.contentType, "text/plain; charset=utf-8");
      stored.body.destroy();
    });

    it("stores a multi-megabyte stream intact (a multipart upload on S3)", async () => {
      const key = `${run}/stream/original/video.mp4`;
      const data = randomBytes(12 * MiB + 12_345);
      await store.put(key, streamOf(data), { contentType: "video/mp4" });
      const stored = await store.get(key);
      assert.ok(stored);
      assert.equal(stored.size, data.length);
      assert.equal(stored.contentType, "video/mp4");
      assert.equal(sha256(await bytesOf(stored.body)), sha256(data));
      assert.deepEqual(await store.list(`${run}/stream/`, null, 10), [{ key, size: data.length }]);
    });

    it("leaves nothing behind when the upload stream fails", async () => {
      const key = `${run}/failed/original/cut.mp4`;
      await assert.rejects(store.put(key, failingStream(MiB), { contentType: "video/mp4" }));
      assert.equal(await store.get(key), null);
      assert.equal(await store.exists(key), false);
      assert.deepEqual(await store.list(`${run}/failed/`, null, 10), []);
    });

    it("replaces an object put again under the same key", async () => {
      const key = `${run}/replace/small/x.webp`;
      await store.put(key, Buffer.from("first version"), { contentType: "image/webp" });
      await store.put(key, Buffer.from("second"), { contentType: "image/avif" });
      const stored = await store.get(key);
      assert.ok(stored);
      assert.equal((await bytesOf(stored.body)).toString(), "second");
      assert.equal(stored.contentType, "image/avif");
    });

    it("serves inclusive byte ranges, open-ended ranges, and clamps an end past the last byte", async () => {
      const key = `${run}/range/original/audio.mp3`;
      const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
      await store.put(key, data, { contentType: "audio/mpeg" });
      const cases = [
        { asked: { start: 0, end: 0 }, start: 0, end: 0 },
        { asked: { start: 10, end: 19 }, start: 10, end: 19 },
        { asked: { start: 990 }, start: 990, end: 999 },
        { asked: { start: 0 }, start: 0, end: 999 },
        { asked: { start: 995, end: 5000 }, start: 995, end: 999 },
        { asked: { start: 999, end: 999 }, start: 999, end: 999 },
      ];
      for (const { asked, start, end } of cases) {
        const stored = await store.get(key, asked);
        assert.ok(stored, JSON.stringify(asked));
        assert.deepEqual(stored.range, { start, end, total: 1000 }, JSON.stringify(asked));
        assert.equal(stored.size, end - start + 1);
        assert.equal(stored.contentType, "audio/mpeg");
        assert.deepEqual(await bytesOf(stored.body), data.subarray(start, end + 1), JSON.stringify(asked));
      }
    });

    it("refuses a range that starts past the end with the object's size, and a malformed range outright", async () => {
      const key = `${run}/range/original/short.txt`;
      await store.put(key, Buffer.from("0123456789"), { contentType: "text/plain" });
      for (const start of [10, 5000]) {
        await assert.rejects(store.get(key, { start }), (error: unknown) => {
          assert.ok(error instanceof RangeNotSatisfiableError);
          assert.equal(error.size, 10);
          return true;
        });
      }
      await assert.rejects(store.get(key, { start: 5, end: 4 }), RangeError);
      await assert.rejects(store.get(key, { start: -1 }), RangeError);
    });

    it("answers null for a missing key, with or without a range", async () => {
      assert.equal(await store.get(`${run}/missing/original/none.png`), null);
      assert.equal(await store.get(`${run}/missing/original/none.png`, { start: 0, end: 10 }), null);
      assert.equal(await store.get(`${run}/never-a-directory/none.png`), null);
    });

    it("reports existence and deletes idempotently", async () => {
      const key = `${run}/delete/original/gone.gif`;
      const sibling = `${run}/delete/original/stays.gif`;
      await store.put(key, Buffer.from("GIF89a"), { contentType: "image/gif" });
      await store.put(sibling, Buffer.from("GIF89a"), { contentType: "image/gif" });
      assert.equal(await store.exists(key), true);
      assert.equal(await store.exists(`${run}/delete/original`), false, "a directory or prefix is not an object");
      await store.delete(key);
      assert.equal(await store.exists(key), false);
      assert.equal(await store.get(key), null);
      await store.delete(key);
      await store.delete(`${run}/delete/never/was.gif`);
      assert.equal(await store.exists(sibling), true);
      assert.deepEqual(await store.list(`${run}/delete/`, null, 10), [{ key: sibling, size: 6 }]);
    });

    it("lists keys under a prefix in key order, `limit` at a time after `after`", async () => {
      const base = `${run}/list/`;
      const names = ["b/2", "a/1", "a/10", "a/2", "c", "a/3/deeper"];
      const sorted = ["a/1", "a/10", "a/2", "a/3/deeper", "b/2", "c"];
      for (const [index, name] of names.entries())
        await store.put(base + name, Buffer.alloc(index + 1, 1), { contentType: "application/octet-stream" });
      const expected = sorted.map((name) => ({ key: base + name, size: names.indexOf(name) + 1 }));
      assert.deepEqual(await store.list(base, null, 100), expected);
      assert.deepEqual(await store.list(base, null, 2), expected.slice(0, 2));

      const paged: { key: string; size: number }[] = [];
      for (let afterKey: string | null = null; ; ) {
        const page = await store.list(base, afterKey, 2);
        if (page.length === 0) break;
        assert.ok(page.length <= 2);
        paged.push(...page);
        afterKey = page[page.length - 1].key;
      }
      assert.deepEqual(paged, expected);

      const keysOf = (objects: { key: string }[]) => objects.map((o) => o.key);
      assert.deepEqual(keysOf(await store.list(`${base}a/`, null, 100)), keysOf(expected.slice(0, 4)));
      assert.deepEqual(
        keysOf(await store.list(`${base}a/1`, null, 100)),
        [`${base}a/1`, `${base}a/10`],
        "a prefix need not end at a slash",
      );
      assert.deepEqual(keysOf(await store.list(base, `${base}a/10`, 100)), keysOf(expected.slice(2)));
      assert.deepEqual(keysOf(await store.list(base, `${base}a/0`, 1)), [`${base}a/1`], "`after` need not be a stored key");
      assert.deepEqual(keysOf(await store.list(base, `${base}a/3`, 1)), [`${base}a/3/deeper`], "nor a directory");
      assert.deepEqual(await store.list(`${run}/nothing-here/`, null, 10), []);
      assert.deepEqual(await store.list(base, null, 0), []);
    });

    it("orders keys by their bytes where a directory walk would not", async (t) => {
      if (harness.skipByteOrder) return t.skip(harness.skipByteOrder);
      const base = `${run}/bytes/`;
      // "-" (0x2d) sorts before "/" (0x2f): "a-x" comes before everything under "a/", and "a.b" after "a-x".
      const names = ["a/1", "a.b", "a-x", "a/0", "a0"];
      for (const name of names) await store.put(base + name, Buffer.from(name), { contentType: "text/plain" });
      const sorted = ["a-x", "a.b", "a/0", "a/1", "a0"];
      assert.deepEqual((await store.list(base, null, 100)).map((o) => o.key), sorted.map((name) => base + name));
      assert.deepEqual((await store.list(base, `${base}a-x`, 2)).map((o) => o.key), [`${base}a.b`, `${base}a/0`]);
      assert.deepEqual((await store.list(base, `${base}a/1`, 2)).map((o) => o.key), [`${base}a0`]);
    });

    it("refuses keys that could leave the store", async () => {
      for (const key of ["../x", "/etc/passwd", "a/../../b", "a/./b", "a//b", "a\\..\\b", "a\0b", "", ".hidden", "a/.meta"]) {
        await assert.rejects(store.put(key, Buffer.from("x"), { contentType: "text/plain" }), Error, JSON.stringify(key));
        await assert.rejects(store.get(key), Error, JSON.stringify(key));
        await assert.rejects(store.exists(key), Error, JSON.stringify(key));
        await assert.rejects(store.delete(key), Error, JSON.stringify(key));
        assert.throws(() => store.url(key), Error, JSON.stringify(key));
      }
    });

    it("hands out URLs that serve the object", async (t) => {
      if (!harness.fetchUrl) return t.skip("nothing serves this store's URLs in the test");
      const key = `${run}/public/original/photo.jpg`;
      const data = randomBytes(3000);
      await store.put(key, data, { contentType: "image/jpeg" });
      const fetched = await harness.fetchUrl(store.url(key));
      assert.equal(fetched.status, 200);
      assert.equal(fetched.headers.get("content-type"), "image/jpeg");
      assert.equal(fetched.headers.get("cache-control"), "public, max-age=315576000, immutable");
      assert.deepEqual(fetched.body, data);
    });
  });
}
