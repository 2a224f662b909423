import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import sharp from "sharp";
import { runHerd, tempDataDir } from "../support/cli.ts";

describe("herd admin: instance content", () => {
  it("lists the content commands in admin --help", async () => {
    const help = await runHerd(["admin", "--help"], {});
    assert.equal(help.code, 0);
    for (const line of [/settings set KEY VALUE \| KEY --file F/, /rules add TEXT \[--hint H\]/, /emoji add SHORTCODE FILE/, /announcements publish TEXT/, /announcements unpublish ID/])
      assert.match(help.stdout, line);
    const r = await runHerd(["admin", "settings"], {});
    assert.equal(r.code, 64);
    assert.match(r.stderr, /herd admin settings takes list, set, unset/);
  });

  it("manages settings, rules, custom emojis and announcements on the embedded database", async () => {
    const data = tempDataDir();
    const env = { DATA_DIR: data, LOCAL_DOMAIN: "cli.test", LOCAL_HTTPS: "false" };
    assert.equal((await runHerd(["migrate"], env)).code, 0);

    // settings
    const set = await runHerd(["admin", "settings", "set", "site_title", "CLI Herd"], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /Set site_title\./);
    const file = join(data, "about.txt");
    writeFileSync(file, "First paragraph.\n\nSecond one.");
    assert.equal((await runHerd(["admin", "settings", "set", "site_extended_description", "--file", file], env)).code, 0);
    const listed = await runHerd(["admin", "settings", "list"], env);
    assert.match(listed.stdout, /^site_title\s+CLI Herd\s/m);
    assert.match(listed.stdout, /^site_extended_description\s+First paragraph\. Second one\./m);
    assert.match(listed.stdout, /^site_contact_email\s+\(unset\)/m);
    const unknown = await runHerd(["admin", "settings", "set", "colour", "blue"], env);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /unknown setting "colour"; settings are site_title, /);
    const badEmail = await runHerd(["admin", "settings", "set", "site_contact_email", "nope"], env);
    assert.equal(badEmail.code, 1);
    assert.match(badEmail.stderr, /site_contact_email must be an e-mail address/);
    const nobody = await runHerd(["admin", "settings", "set", "site_contact_username", "ghost"], env);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no local account is named ghost/);
    assert.equal((await runHerd(["admin", "settings", "set", "site_title"], env)).code, 64, "a value is needed");
    assert.equal((await runHerd(["admin", "settings", "set", "site_title", "a", "--file", file], env)).code, 64, "not both");
    assert.equal((await runHerd(["admin", "settings", "set", "site_title", "--file", join(data, "missing.txt")], env)).code, 1);
    assert.match((await runHerd(["admin", "settings", "unset", "site_title"], env)).stdout, /Cleared site_title\./);
    assert.match((await runHerd(["admin", "settings", "list"], env)).stdout, /^site_title\s+\(unset\)/m);

    // rules
    const added = await runHerd(["admin", "rules", "add", "No spam", "--hint", "Ads count as spam."], env);
    assert.equal(added.code, 0, added.stderr);
    const ruleId = /Added rule (\d+)\./.exec(added.stdout)?.[1];
    assert.ok(ruleId);
    assert.match((await runHerd(["admin", "rules", "list"], env)).stdout, new RegExp(`^${ruleId}\\s+No spam\\s+Ads count as spam\\.`, "m"));
    const tooLong = await runHerd(["admin", "rules", "add", "x".repeat(301)], env);
    assert.equal(tooLong.code, 1);
    assert.match(tooLong.stderr, /longer than 300 characters/);
    assert.equal((await runHerd(["admin", "rules", "remove", "abc"], env)).code, 64);
    assert.equal((await runHerd(["admin", "rules", "remove", "12345"], env)).code, 1);
    assert.match((await runHerd(["admin", "rules", "remove", ruleId], env)).stdout, /Removed rule/);
    assert.match((await runHerd(["admin", "rules", "list"], env)).stdout, /No rules\./);

    // emoji
    const png = join(data, "blob.png");
    writeFileSync(png, await sharp({ create: { width: 64, height: 64, channels: 4, background: "#f0a" } }).png().toBuffer());
    const emoji = await runHerd(["admin", "emoji", "add", "blobherd", png, "--category", "Blobs"], env);
    assert.equal(emoji.code, 0, emoji.stderr);
    assert.match(emoji.stdout, /Added :blobherd:\./);
    assert.match((await runHerd(["admin", "emoji", "list"], env)).stdout, /^blobherd\s+Blobs\s+http:\/\/cli\.test\/\S+\.png$/m);
    const dup = await runHerd(["admin", "emoji", "add", "blobherd", png], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already taken/);
    const text = join(data, "not-an-image.png");
    writeFileSync(text, "hello");
    const bad = await runHerd(["admin", "emoji", "add", "textual", text], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /could not be read as an image|must be a PNG, GIF or WebP/);
    assert.equal((await runHerd(["admin", "emoji", "add", "onlycode"], env)).code, 64);
    assert.equal((await runHerd(["admin", "emoji", "add", "nofile", join(data, "missing.png")], env)).code, 1);
    assert.match((await runHerd(["admin", "emoji", "remove", ":blobherd:"], env)).stdout, /Removed :blobherd:/);
    assert.equal((await runHerd(["admin", "emoji", "remove", "blobherd"], env)).code, 1);
    assert.match((await runHerd(["admin", "emoji", "list"], env)).stdout, /No custom emojis\./);

    // announcements
    const pub = await runHerd(["admin", "announcements", "publish", "Party on Friday", "--starts-at", "2026-12-24", "--ends-at", "2026-12-25", "--all-day"], env);
    assert.equal(pub.code, 0, pub.stderr);
    const annId = /Published announcement (\d+)\./.exec(pub.stdout)?.[1];
    assert.ok(annId);
    assert.match((await runHerd(["admin", "announcements", "list"], env)).stdout, new RegExp(`^${annId}\\s+yes\\s+2026-12-24T00:00:00.000Z\\s+2026-12-25T00:00:00.000Z\\s+Party on Friday`, "m"));
    const badDate = await runHerd(["admin", "announcements", "publish", "x", "--starts-at", "someday", "--ends-at", "2026-12-25"], env);
    assert.equal(badDate.code, 64);
    assert.match(badDate.stderr, /--starts-at must be a date or time/);
    assert.equal((await runHerd(["admin", "announcements", "publish", "x", "--starts-at", "2026-12-24"], env)).code, 64, "both or neither");
    assert.equal((await runHerd(["admin", "announcements", "publish"], env)).code, 64);
    assert.match((await runHerd(["admin", "announcements", "unpublish", annId], env)).stdout, /Unpublished announcement/);
    assert.equal((await runHerd(["admin", "announcements", "unpublish", annId], env)).code, 1, "already unpublished");
    assert.match((await runHerd(["admin", "announcements", "list"], env)).stdout, new RegExp(`^${annId}\\s+no\\s`, "m"));
  });
});
