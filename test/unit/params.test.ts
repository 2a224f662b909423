import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Hono } from "hono";
import { HttpError } from "../../src/http/errors.ts";
import { readParams } from "../../src/http/mastodon/params.ts";

const app = new Hono();
app.post("/p", async (c) => {
  try {
    return c.json(await readParams(c));
  } catch (error) {
    if (error instanceof HttpError) return c.json({ error: error.publicMessage }, error.status as 400);
    throw error;
  }
});

const post = async (body: string | FormData, headers: Record<string, string> = {}, query = "") =>
  (await app.request(`/p${query}`, { method: "POST", body, headers })).json();

describe("readParams", () => {
  const fields: [string, string][] = [
    ["status", "Hello + world & more ünïcode"],
    ["media_ids[]", "1"],
    ["media_ids[]", "2"],
    ["poll[options][]", "a"],
    ["poll[options][]", "b"],
    ["poll[expires_in]", "300"],
    ["fields_attributes[0][name]", "x"],
    ["visibility", "unlisted"],
  ];
  const expected = {
    status: "Hello + world & more ünïcode",
    media_ids: ["1", "2"],
    poll: { options: ["a", "b"], expires_in: "300" },
    fields_attributes: { "0": { name: "x" } },
    visibility: "public",
  };

  it("reads a urlencoded form with Rails' bracket keys, as a multipart one, the body over the query", async () => {
    const form = new URLSearchParams(fields);
    form.set("visibility", "public");
    const urlencoded = await post(form.toString(), { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, "?visibility=private&q=1");
    assert.deepEqual(urlencoded, { ...expected, q: "1" });
    const multipart = new FormData();
    for (const [k, v] of form) multipart.append(k, v);
    assert.deepEqual(await post(multipart, {}, "?visibility=private&q=1"), { ...expected, q: "1" });
  });

  it("decodes percent escapes and plus signs, and takes a malformed escape as it stands", async () => {
    const parsed = await post("a=%E2%9C%93+ok&b=100%&c=&d", { "content-type": "application/x-www-form-urlencoded" });
    assert.deepEqual(parsed, { a: "✓ ok", b: "100%", c: "", d: "" });
  });

  it("refuses a form with too many parameters", async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => `k${i}=v`).join("&");
    assert.deepEqual(await post(many, { "content-type": "application/x-www-form-urlencoded" }), { error: "Too many parameters" });
  });
});
