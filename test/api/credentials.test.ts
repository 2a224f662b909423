import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { download, exifJpeg, expectStatus, formWithFile, pixel } from "../support/accounts.ts";
import { assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const v of appVariants) {
  describe(`verify_credentials, update_credentials, profile pictures, preferences (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());

    it("answers verify_credentials with the CredentialAccount, for profile or read:accounts tokens only", async () => {
      const alice = await t.user("alice");
      const res = expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: alice.token }), 200);
      assertEntity("CredentialAccount", res.body);
      assertResponse("GET", "/api/v1/accounts/verify_credentials", 200, res.body);
      assert.equal(res.body.id, alice.accountId);
      assert.equal(res.body.acct, "alice");
      assert.equal(res.body.url, `${t.baseUrl}/@alice`);
      assert.equal(res.body.uri, `${t.baseUrl}/users/alice`);
      assert.match(res.body.created_at, /^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
      assert.equal(res.body.avatar, `${t.baseUrl}/avatars/original/missing.png`);
      assert.equal(res.body.header, `${t.baseUrl}/headers/original/missing.png`);
      assert.deepEqual(res.body.role, { id: "-99", name: "", permissions: "65536", color: "", highlighted: false });
      assert.deepEqual(res.body.source, {
        privacy: "public", sensitive: false, language: null, note: "", fields: [], follow_requests_count: 0,
        hide_collections: false, discoverable: null, indexable: false, attribution_domains: [], quote_policy: "public",
      });
      // A second call is served from the cache and must be the same document.
      const again = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: alice.token });
      assert.deepEqual(again.body, res.body);

      const profileOnly = await t.user("alice_profile", { scopes: "profile" });
      expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: profileOnly.token }), 200);
      const writeOnly = await t.user("alice_write", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: writeOnly.token }), 403, "This action is outside the authorized scopes");
      expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials"), 401, "The access token is invalid");
      expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: "not-a-token" }), 401);
    });

    it("shows the role of staff accounts, and their badge", async () => {
      const owner = await t.user("the_owner", { role: "owner" });
      const res = expectStatus(await t.request("GET", "/api/v1/accounts/verify_credentials", { token: owner.token }), 200);
      assertEntity("CredentialAccount", res.body);
      assert.equal(res.body.role.name, "Owner");
      assert.equal(res.body.role.highlighted, true);
      assert.deepEqual(res.body.roles, [{ id: res.body.role.id, name: "Owner", color: "" }]);
    });

    it("updates the profile from JSON: text rendered as HTML, source kept as plain text, cache refreshed", async () => {
      const bob = await t.user("bob");
      await t.request("GET", "/api/v1/accounts/verify_credentials", { token: bob.token }); // warm the cache
      const note = "Hello <world> & friends\nsee https://example.com/a/rather/long/path/for/the/link\n\nSecond paragraph";
      const res = expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", {
          token: bob.token,
          json: {
            display_name: "Bob 🐑", note, locked: true, bot: true, discoverable: true, indexable: true, hide_collections: true,
            fields_attributes: { "0": { name: "Site", value: "https://bob.example" }, "1": { name: "Pronouns", value: "he/him" }, "2": { name: "", value: "" } },
            source: { privacy: "unlisted", sensitive: true, language: "fr", quote_policy: "followers" },
          },
        }),
        200,
      );
      assertEntity("CredentialAccount", res.body);
      assertResponse("PATCH", "/api/v1/accounts/update_credentials", 200, res.body);
      assert.equal(res.body.display_name, "Bob 🐑");
      assert.equal(res.body.locked, true);
      assert.equal(res.body.bot, true);
      assert.equal(res.body.discoverable, true);
      assert.equal(res.body.indexable, true);
      assert.equal(res.body.hide_collections, true);
      assert.match(res.body.note, /^<p>Hello &lt;world&gt; &amp; friends<br \/>see <a href="https:\/\/example\.com\/a\/rather\/long\/path\/for\/the\/link" target="_blank" rel="nofollow noopener"/);
      assert.match(res.body.note, /<span class="invisible">https:\/\/<\/span><span class="ellipsis">example\.com\/a\/rather\/long\/path<\/span><span class="invisible">\/for\/the\/link<\/span><\/a>/);
      assert.match(res.body.note, /<\/p><p>Second paragraph<\/p>$/);
      assert.equal(res.body.fields.length, 2);
      assert.match(res.body.fields[0].value, /^<a href="https:\/\/bob\.example" target="_blank" rel="nofollow noopener me"/);
      assert.deepEqual(res.body.fields[1], { name: "Pronouns", value: "he/him", verified_at: null });
      assert.equal(res.body.source.note, note);
      assert.deepEqual(res.body.source.fields, [
        { name: "Site", value: "https://bob.example", verified_at: null },
        { name: "Pronouns", value: "he/him", verified_at: null },
      ]);
      assert.equal(res.body.source.privacy, "unlisted");
      assert.equal(res.body.source.sensitive, true);
      assert.equal(res.body.source.language, "fr");
      assert.equal(res.body.source.quote_policy, "followers");

      const verified = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: bob.token });
      assert.deepEqual(verified.body, res.body);
      const prefs = expectStatus(await t.request("GET", "/api/v1/preferences", { token: bob.token }), 200);
      assertEntity("Preferences", prefs.body);
      assertResponse("GET", "/api/v1/preferences", 200, prefs.body);
      assert.equal(prefs.body["posting:default:visibility"], "unlisted");
      assert.equal(prefs.body["posting:default:sensitive"], true);
      assert.equal(prefs.body["posting:default:language"], "fr");
      assert.equal(prefs.body["reading:expand:media"], "default");

      // Clearing: empty note and language, empty fields list.
      const cleared = expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: bob.token, json: { note: "", fields_attributes: [], source: { language: "" } } }),
        200,
      );
      assert.equal(cleared.body.note, "");
      assert.deepEqual(cleared.body.fields, []);
      assert.equal(cleared.body.source.language, null);
      assert.equal(cleared.body.display_name, "Bob 🐑");
    });

    it("updates the profile from a multipart form with Rails bracket keys", async () => {
      const carol = await t.user("carol");
      const form = new FormData();
      form.append("display_name", "Carol");
      form.append("fields_attributes[0][name]", "One");
      form.append("fields_attributes[0][value]", "1");
      form.append("fields_attributes[1][name]", "Two");
      form.append("fields_attributes[1][value]", "2");
      form.append("source[privacy]", "private");
      form.append("locked", "1");
      const res = expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: carol.token, form }), 200);
      assertEntity("CredentialAccount", res.body);
      assert.deepEqual(res.body.fields.map((f: { name: string }) => f.name), ["One", "Two"]);
      assert.equal(res.body.source.privacy, "private");
      assert.equal(res.body.locked, true);
    });

    it("refuses invalid profiles with 422 and a message, changing nothing", async () => {
      const dave = await t.user("dave");
      const patch = (json: unknown) => t.request("PATCH", "/api/v1/accounts/update_credentials", { token: dave.token, json });
      expectStatus(await patch({ display_name: "x".repeat(31) }), 422, "Validation failed: Display name is too long (maximum is 30 characters)");
      expectStatus(await patch({ note: "y".repeat(501) }), 422, "Validation failed: Note is too long (maximum is 500 characters)");
      const fiveFields = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [String(i), { name: `n${i}`, value: "v" }]));
      expectStatus(await patch({ fields_attributes: fiveFields }), 422, /Fields is too long/);
      expectStatus(await patch({ fields_attributes: [{ name: "n".repeat(256), value: "v" }] }), 422, /Field name is too long/);
      expectStatus(await patch({ fields_attributes: [{ name: "n", value: "v".repeat(256) }] }), 422, /Field value is too long/);
      expectStatus(await patch({ fields_attributes: "nonsense" }), 422, /Fields must be/);
      expectStatus(await patch({ source: { privacy: "direct" } }), 422, /Default privacy/);
      expectStatus(await patch({ source: { language: "english" } }), 422, /Default language/);
      // NUL characters (which PostgreSQL refuses) are dropped rather than failing the request.
      const nul = expectStatus(await patch({ display_name: "Da\u0000ve", fields_attributes: [{ name: "a\u0000", value: "b" }] }), 200);
      assert.equal(nul.body.display_name, "Dave");
      assert.equal(nul.body.fields[0].name, "a");
      await patch({ display_name: "", fields_attributes: [] });
      // A long link counts as 23 characters, as in Mastodon.
      expectStatus(await patch({ note: "z".repeat(470) + " https://example.com/" + "p".repeat(100) }), 200);
      const bad = formWithFile("avatar", Buffer.from("this is not an image"), "image/png", "fake.png");
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: dave.token, form: bad }), 422, /Avatar could not be read/);
      const text = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#fff" } }).tiff().toBuffer();
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: dave.token, form: formWithFile("header", text, "image/tiff", "a.tiff") }), 422, /Header must be a JPEG, PNG, GIF or WebP/);
      const me = await t.request("GET", "/api/v1/accounts/verify_credentials", { token: dave.token });
      assert.equal(me.body.display_name, "");
      assert.equal(me.body.avatar, `${t.baseUrl}/avatars/original/missing.png`);
      const readOnly = await t.user("dave_read", { scopes: "read" });
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: readOnly.token, json: { display_name: "x" } }), 403);
      expectStatus(await t.request("PATCH", "/api/v1/accounts/update_credentials", { json: { display_name: "x" } }), 401);
    });

    it("processes an uploaded avatar: upright, 400×400, without EXIF, under an unguessable key; replacing deletes the old file", async () => {
      const erin = await t.user("erin");
      const jpeg = await exifJpeg();
      const res = expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: erin.token, form: formWithFile("avatar", jpeg, "image/jpeg", "me.jpg") }),
        200,
      );
      assertEntity("CredentialAccount", res.body);
      assert.match(res.body.avatar, new RegExp(`/accounts/avatars/${erin.accountId}/[0-9a-f]{32}\\.jpg$`));
      assert.equal(res.body.avatar_static, res.body.avatar);
      const stored = await download(t, res.body.avatar);
      assert.equal(stored.status, 200);
      assert.equal(stored.type, "image/jpeg");
      const meta = await sharp(stored.bytes).metadata();
      assert.equal(meta.width, 400);
      assert.equal(meta.height, 400);
      assert.equal(meta.exif, undefined, "EXIF (camera, GPS) must be stripped");
      assert.equal(meta.orientation, undefined);
      assert.ok(!stored.bytes.toString("latin1").includes("HerdTestCam"));
      // Orientation 6 was applied: the red half is on top now, blue below.
      const top = await pixel(stored.bytes, 200, 40);
      const bottom = await pixel(stored.bytes, 200, 360);
      assert.ok(top[0] > 200 && top[2] < 60, `top should be red, got ${top}`);
      assert.ok(bottom[2] > 200 && bottom[0] < 60, `bottom should be blue, got ${bottom}`);

      const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: "#0f0" } }).png().toBuffer();
      const replaced = expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: erin.token, form: formWithFile("avatar", png, "image/png", "small.png") }),
        200,
      );
      assert.match(replaced.body.avatar, /\.png$/);
      assert.notEqual(replaced.body.avatar, res.body.avatar);
      assert.equal((await download(t, res.body.avatar)).status, 404, "the replaced avatar is deleted");
      const small = await sharp((await download(t, replaced.body.avatar)).bytes).metadata();
      assert.deepEqual([small.width, small.height], [400, 400]);

      const removed = expectStatus(await t.request("DELETE", "/api/v1/profile/avatar", { token: erin.token }), 200);
      assertEntity("CredentialAccount", removed.body);
      assertResponse("DELETE", "/api/v1/profile/avatar", 200, removed.body);
      assert.equal(removed.body.avatar, `${t.baseUrl}/avatars/original/missing.png`);
      assert.equal((await download(t, replaced.body.avatar)).status, 404);
      // Deleting again is fine.
      expectStatus(await t.request("DELETE", "/api/v1/profile/avatar", { token: erin.token }), 200);
      const readOnly = await t.user("erin_read", { scopes: "read" });
      expectStatus(await t.request("DELETE", "/api/v1/profile/avatar", { token: readOnly.token }), 403);
    });

    it("processes a header to 1500×500 and deletes it on request", async () => {
      const fay = await t.user("fay");
      const gif = await sharp({ create: { width: 300, height: 300, channels: 3, background: "#123456" } }).gif().toBuffer();
      const res = expectStatus(
        await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: fay.token, form: formWithFile("header", gif, "image/gif", "h.gif", { display_name: "Fay" }) }),
        200,
      );
      assert.match(res.body.header, new RegExp(`/accounts/headers/${fay.accountId}/[0-9a-f]{32}\\.png$`));
      assert.equal(res.body.display_name, "Fay");
      const meta = await sharp((await download(t, res.body.header)).bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [1500, 500]);
      const removed = expectStatus(await t.request("DELETE", "/api/v1/profile/header", { token: fay.token }), 200);
      assertEntity("CredentialAccount", removed.body);
      assert.equal(removed.body.header, `${t.baseUrl}/headers/original/missing.png`);
      assert.equal((await download(t, res.body.header)).status, 404);
    });

    it("serves the default avatar and header pictures it points to", async () => {
      const avatar = await download(t, `${t.baseUrl}/avatars/original/missing.png`);
      assert.equal(avatar.status, 200);
      assert.equal(avatar.type, "image/png");
      const a = await sharp(avatar.bytes).metadata();
      assert.deepEqual([a.format, a.width, a.height], ["png", 400, 400]);
      const header = await download(t, `${t.baseUrl}/headers/original/missing.png`);
      const h = await sharp(header.bytes).metadata();
      assert.deepEqual([h.format, h.width, h.height], ["png", 1500, 500]);
    });

    it("requires read:accounts for preferences", async () => {
      const gus = await t.user("gus", { scopes: "write" });
      expectStatus(await t.request("GET", "/api/v1/preferences", { token: gus.token }), 403);
      expectStatus(await t.request("GET", "/api/v1/preferences"), 401);
      const locked = await t.user("hal");
      await t.request("PATCH", "/api/v1/accounts/update_credentials", { token: locked.token, json: { locked: true } });
      const prefs = await t.request("GET", "/api/v1/preferences", { token: locked.token });
      assert.equal(prefs.body["posting:default:visibility"], "private", "locked accounts default to followers-only, as Mastodon");
    });
  });
}
