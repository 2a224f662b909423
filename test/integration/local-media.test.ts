import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LocalMediaStore } from "../../src/adapters/local/local-media-store.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { mountLocalMedia, mountMediaRedirects, parseRange } from "../../src/http/local-media.ts";
import type { MediaStore } from "../../src/ports/media-store.ts";

function setup() {
  const store = new LocalMediaStore(join(mkdtempSync(join(tmpdir(), "herd-lm-")), "media"), "http://localhost:3000");
  const app = createHttpApp({ log: silentLogger, trustedProxies: [], metricsAllowed: [], health: [] });
  mountLocalMedia(app, store);
  return { store, app };
}

describe("local media files", () => {
  it("serve whole files with long cache headers and headers that keep them from running as pages", async () => {
    const { store, app } = setup();
    await store.put("media_attachments/files/1/original/a1b2.png", Buffer.from("0123456789"), { contentType: "image/png" });
    const res = await app.request("/system/media_attachments/files/1/original/a1b2.png");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "0123456789");
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(res.headers.get("content-length"), "10");
    assert.equal(res.headers.get("cache-control"), "public, max-age=315576000, immutable");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'.*sandbox/);
    const head = await app.request("/system/media_attachments/files/1/original/a1b2.png", { method: "HEAD" });
    assert.equal(head.status, 200);
  });

  it("answer byte ranges with 206, suffix ranges too, and 416 past the end", async () => {
    const { store, app } = setup();
    await store.put("v/clip.mp4", Buffer.from("abcdefghij"), { contentType: "video/mp4" });
    const part = await app.request("/system/v/clip.mp4", { headers: { range: "bytes=2-4" } });
    assert.equal(part.status, 206);
    assert.equal(await part.text(), "cde");
    assert.equal(part.headers.get("content-range"), "bytes 2-4/10");
    const open = await app.request("/system/v/clip.mp4", { headers: { range: "bytes=7-" } });
    assert.equal(await open.text(), "hij");
    const suffix = await app.request("/system/v/clip.mp4", { headers: { range: "bytes=-3" } });
    assert.equal(suffix.status, 206);
    assert.equal(await suffix.text(), "hij");
    const past = await app.request("/system/v/clip.mp4", { headers: { range: "bytes=10-" } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), "bytes */10");
    const junk = await app.request("/system/v/clip.mp4", { headers: { range: "bytes=5-2" } });
    assert.equal(junk.status, 200, "a malformed range is ignored, as HTTP allows");
  });

  it("answer 404 for missing files and for paths that try to leave the store", async () => {
    const { app } = setup();
    for (const path of ["/system/nope.png", "/system/..%2F..%2Fetc%2Fpasswd", "/system/a/%2e%2e/b", "/system/.meta", "/system/%E0%A4%A"]) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(await res.json(), { error: "Not found" });
    }
  });

  it("parse Range headers strictly", () => {
    assert.deepEqual(parseRange("bytes=0-99"), { start: 0, end: 99 });
    assert.deepEqual(parseRange("bytes=100-"), { start: 100, end: undefined });
    assert.deepEqual(parseRange("bytes=-5"), { suffix: 5 });
    for (const bad of [undefined, "bytes=-", "bytes=1-2,4-5", "items=1-2", "bytes=9-3"]) assert.equal(parseRange(bad), null, String(bad));
  });

  it("redirect /system/ links to the bucket when media live in S3, refusing keys outside the store's rules", async () => {
    const app = createHttpApp({ log: silentLogger, trustedProxies: [], metricsAllowed: [], health: [] });
    // Only url() is asked of the store on this path; the S3 adapter's URLs are tested in the media store contract.
    mountMediaRedirects(app, { url: (key: string) => `https://files.example/${key}` } as unknown as MediaStore);
    const res = await app.request("/system/media_attachments/files/1/original/a1b2.png");
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), "https://files.example/media_attachments/files/1/original/a1b2.png");
    assert.equal((await app.request("/system/..%2F..%2Fetc%2Fpasswd")).status, 404);
  });
});
