import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { expectStatus, users } from "../support/accounts.ts";
import { uploadForm } from "../support/media-fixtures.ts";
import { assertEntity } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const v of appVariants) {
  describe(`request body limits (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    /** A raw JSON body (the test client's `json` would stringify it). */
    const raw = async (path: string, token: string, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) => {
      const res = await t.app.request(new URL(path, t.baseUrl).toString(), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
        body,
        ...(typeof body === "string" ? {} : { duplex: "half" }),
      } as RequestInit);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };

    it("answers 413 to a 2 MiB JSON body, also when it streams without a Content-Length", async () => {
      const [me] = await users(t, ["limits_big"]);
      const big = JSON.stringify({ status: "x".repeat(2 * 1024 * 1024) });
      const declared = await raw("/api/v1/statuses", me.token, big);
      assert.equal(declared.status, 413);
      assert.deepEqual(declared.body, { error: "The request body is too large" });
      const chunk = new TextEncoder().encode(big.slice(0, 64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 32) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const streamed = await raw("/api/v1/statuses", me.token, stream);
      assert.equal(streamed.status, 413);
      assert.deepEqual(streamed.body, { error: "The request body is too large" });
      const mine = expectStatus(await t.request("GET", `/api/v1/accounts/${me.accountId}/statuses`, { token: me.token }), 200).body;
      assert.equal(mine.length, 0, "nothing was posted");
    });

    it("answers 400 to deeply nested JSON and still reads ordinary nesting", async () => {
      const [me] = await users(t, ["limits_deep"]);
      const deep = `{"status":"deep","poll":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
      const res = await raw("/api/v1/statuses", me.token, deep);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: "The request body is nested too deeply" });
      const posted = expectStatus(
        await t.request("POST", "/api/v1/statuses", { token: me.token, json: { status: "shallow enough", poll: { options: ["a", "b"], expires_in: 600 } } }),
        200,
      ).body;
      assertEntity("Status", posted);
      assert.deepEqual(posted.poll.options.map((o: any) => o.title), ["a", "b"]);
    });

    it("leaves uploads their own, larger limit", async () => {
      const [me] = await users(t, ["limits_upload"]);
      const noise = Buffer.alloc(700 * 700 * 3);
      for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
      const png = await sharp(noise, { raw: { width: 700, height: 700, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
      assert.ok(png.length > 1024 * 1024, `the upload is over the general limit (${png.length} bytes)`);
      const res = await t.request("POST", "/api/v2/media", { token: me.token, form: uploadForm({ file: { data: png, name: "noise.png", type: "image/png" } }) });
      assert.ok(res.status === 200 || res.status === 202, `upload answered ${res.status}: ${res.text}`);
      assertEntity("MediaAttachment", res.body);
      const thumbnail = await t.request("PUT", `/api/v1/media/${res.body.id}`, { token: me.token, form: uploadForm({ thumbnail: { data: png, name: "thumb.png", type: "image/png" } }) });
      // An image takes no thumbnail: Mastodon's validation answers, so the large body was read, not cut off.
      expectStatus(thumbnail, 422, "Validation failed: Thumbnail must be blank");
      const avatar = await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: me.token, form: uploadForm({ avatar: { data: png, name: "avatar.png", type: "image/png" } }) });
      assert.equal(avatar.status, 200, `update_credentials answered ${avatar.status}: ${avatar.text}`);
      assert.match(avatar.body.avatar, /accounts\/avatars/);
    });
  });
}
