import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jobRequest } from "../../src/ports/job-queue.ts";
import { refreshInstanceCachesJob } from "../../src/services/instance/cache-jobs.ts";
import { addRule, removeRule } from "../../src/services/instance/rules.ts";
import { writeSetting } from "../../src/services/instance/settings.ts";
import { download, expectStatus, remoteAccount, users } from "../support/accounts.ts";
import { assertEntities, assertEntity, assertResponse } from "../support/openapi.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

for (const v of appVariants) {
  describe(`instance (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name, { REGISTRATIONS_MODE: "approved" });
    });
    after(() => t?.close());

    const deps = () => ({ db: t.container.db, cache: t.container.cache, clock: t.container.clock });
    const get = async (path: string, token?: string) => {
      const res = expectStatus(await t.request("GET", path, { token }), 200);
      assertResponse("GET", path, 200, res.body);
      return res;
    };

    it("describes the instance in v2 and v1 with Mastodon's limits and the configured streaming URL", async () => {
      const [owner] = await users(t, ["inst_owner"]);
      await t.container.db.kysely.updateTable("users").set({ role: "owner" }).where("account_id", "=", BigInt(owner.accountId)).execute();
      const v2 = await get("/api/v2/instance");
      assertEntity("Instance", v2.body);
      assert.equal(v2.body.domain, "herd.test");
      assert.equal(v2.body.title, "herd.test", "the domain until a title is set");
      assert.match(v2.body.version, /^4\.5\.0 \(compatible; Herd \d+\.\d+\.\d+\)$/);
      assert.equal(v2.body.api_versions.mastodon, 7);
      assert.equal(v2.body.configuration.urls.streaming, "ws://herd.test");
      assert.equal(v2.body.configuration.statuses.max_characters, 500);
      assert.equal(v2.body.configuration.statuses.characters_reserved_per_url, 23);
      assert.equal(v2.body.configuration.statuses.max_media_attachments, 4);
      assert.deepEqual(v2.body.configuration.polls, { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2629746 });
      assert.equal(v2.body.configuration.accounts.max_pinned_statuses, 5);
      assert.equal(v2.body.configuration.accounts.max_featured_tags, 10);
      assert.equal(v2.body.configuration.translation.enabled, false);
      assert.equal(v2.body.configuration.vapid.public_key, "");
      assert.deepEqual([v2.body.registrations.enabled, v2.body.registrations.approval_required], [true, true]);
      assert.equal(v2.body.contact.account.id, owner.accountId, "the owner is the contact by default");
      assertEntity("Account", v2.body.contact.account);
      assert.equal(v2.headers.get("cache-control"), "public, max-age=60");
      const thumb = await download(t, v2.body.thumbnail.url);
      assert.equal(thumb.status, 200);
      assert.equal(thumb.type, "image/png");

      const v1 = await get("/api/v1/instance");
      assertEntity("V1Instance", v1.body);
      assert.equal(v1.body.uri, "herd.test");
      assert.equal(v1.body.urls.streaming_api, "ws://herd.test");
      assert.equal(v1.body.stats.user_count, 1);
      assert.equal(v1.body.approval_required, true);
      assert.equal(v1.body.contact_account.id, owner.accountId);
    });

    it("counts users, statuses and remote domains, and lists peers", async () => {
      const [poster] = await users(t, ["inst_poster"]);
      await remoteAccount(t, "far", "peer-one.example");
      await remoteAccount(t, "far2", "peer-one.example");
      await remoteAccount(t, "other", "peer-two.example");
      for (const text of ["one", "two"]) expectStatus(await t.request("POST", "/api/v1/statuses", { token: poster.token, json: { status: text } }), 200);
      await t.container.cache.delete("instance:snapshot:v1");
      const v1 = await get("/api/v1/instance");
      const users_ = Number((await t.container.db.kysely.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
      assert.equal(v1.body.stats.user_count, users_);
      assert.ok(v1.body.stats.status_count >= 2);
      assert.equal(v1.body.stats.domain_count, 2);
      const peers = await get("/api/v1/instance/peers");
      assert.deepEqual(peers.body.filter((d: string) => d.startsWith("peer-")), ["peer-one.example", "peer-two.example"]);

      const activity = await get("/api/v1/instance/activity");
      assert.equal(activity.body.length, 12);
      const week = activity.body[0];
      assert.ok(Number(week.week) * 1000 <= Date.now() && Date.now() - Number(week.week) * 1000 < 7 * 86_400_000, "this week first");
      assert.ok(Number(week.statuses) >= 2);
      assert.ok(Number(week.registrations) >= 2);
      for (const w of activity.body) for (const k of ["week", "statuses", "logins", "registrations"]) assert.equal(typeof w[k], "string");
    });

    it("shows settings, rules and policies, and drops the cached entity when they change", async () => {
      const [contact] = await users(t, ["inst_contact"]);
      const before = await get("/api/v2/instance");
      assert.equal(before.body.description, "");
      for (const [k, val] of [
        ["site_title", "Herd Test"],
        ["site_short_description", "A small herd"],
        ["site_contact_email", "admin@herd.test"],
        ["site_contact_username", "inst_contact"],
        ["languages", "en,de"],
        ["site_extended_description", "About us.\n\nSee https://herd.test/about"],
      ] as const) assert.ok((await writeSetting(deps(), k, val)).ok, k);
      assert.equal((await writeSetting(deps(), "site_contact_email", "not an address")).ok, false);
      assert.equal((await writeSetting(deps(), "no_such_key", "x")).ok, false);
      const rule = await addRule(deps(), "Be kind", "Really.");
      assert.ok(rule.ok);

      const v2 = await get("/api/v2/instance");
      assertEntity("Instance", v2.body);
      assert.equal(v2.body.title, "Herd Test");
      assert.equal(v2.body.description, "A small herd");
      assert.equal(v2.body.contact.email, "admin@herd.test");
      assert.equal(v2.body.contact.account.id, contact.accountId);
      assert.deepEqual(v2.body.languages, ["en", "de"]);
      assert.deepEqual(v2.body.rules, [{ id: String(rule.value.id), text: "Be kind", hint: "Really." }]);
      const v1 = await get("/api/v1/instance");
      assert.equal(v1.body.title, "Herd Test");
      assert.equal(v1.body.email, "admin@herd.test");

      const rules = await get("/api/v1/instance/rules");
      assertEntities("Rule", rules.body);
      assert.equal(rules.body.length, 1);
      const ext = await get("/api/v1/instance/extended_description");
      assertEntity("ExtendedDescription", ext.body);
      assert.match(ext.body.content, /^<p>About us\.<\/p><p>See <a href="https:\/\/herd\.test\/about"/);

      const privacy = await get("/api/v1/instance/privacy_policy");
      assertEntity("PrivacyPolicy", privacy.body);
      assert.match(privacy.body.content, /has not published a privacy policy/);
      assert.ok((await writeSetting(deps(), "privacy_policy", "We keep little.")).ok);
      assert.equal((await get("/api/v1/instance/privacy_policy")).body.content, "<p>We keep little.</p>");

      expectStatus(await t.request("GET", "/api/v1/instance/terms_of_service"), 404, "Record not found");
      assert.ok((await writeSetting(deps(), "terms_of_service", "Play nice.")).ok);
      assert.ok((await writeSetting(deps(), "terms_of_service_effective_date", "2026-01-31")).ok);
      const tos = await get("/api/v1/instance/terms_of_service");
      assertEntity("TermsOfService", tos.body);
      assert.deepEqual([tos.body.effective_date, tos.body.effective, tos.body.content], ["2026-01-31", true, "<p>Play nice.</p>"]);
      assert.equal((await get("/api/v1/instance/terms_of_service/2026-01-31")).body.content, "<p>Play nice.</p>");
      expectStatus(await t.request("GET", "/api/v1/instance/terms_of_service/2025-01-01"), 404);

      assert.ok((await removeRule(deps(), rule.value.id)).ok);
      assert.deepEqual((await get("/api/v1/instance/rules")).body, []);
      assert.ok((await writeSetting(deps(), "site_title", null)).ok);
      assert.equal((await get("/api/v2/instance")).body.title, "herd.test");
    });

    it("keeps the entities cached, and the refresh job (which admin commands enqueue) drops them", async () => {
      await t.drain(); // the refresh jobs earlier changes enqueued
      await get("/api/v2/instance");
      // A change behind the services' back (another process's write) is not seen while the copy is fresh...
      await t.container.db.kysely.deleteFrom("instance_settings").where("key", "=", "site_title").execute();
      await t.container.db.kysely.insertInto("instance_settings").values({ key: "site_title", value: "Elsewhere", updated_at: Date.now() }).execute();
      assert.notEqual((await get("/api/v2/instance")).body.title, "Elsewhere");
      // ...until the job runs where the cache lives.
      await t.container.queue.enqueue([jobRequest(refreshInstanceCachesJob, { reason: "test" })]);
      await t.drain();
      assert.equal((await get("/api/v2/instance")).body.title, "Elsewhere");
      assert.equal((await get("/api/v1/instance")).body.title, "Elsewhere");
    });

    it("answers the other instance resources as Mastodon does", async () => {
      // Herd has no instance-wide domain blocks, and Mastodon answers 404 while show_domain_blocks is disabled.
      assert.equal((await t.request("GET", "/api/v1/instance/domain_blocks")).status, 404);
      assert.deepEqual((await get("/api/v1/instance/translation_languages")).body, {});
    });
  });
}

describe("instance settings from the environment", () => {
  it("uses STREAMING_API_BASE_URL and SOURCE_BASE_URL, and closed registrations", async () => {
    const t = await startTestApp("sqlite", {
      STREAMING_API_BASE_URL: "wss://streaming.herd.test/",
      SOURCE_BASE_URL: "https://code.example/herd",
      REGISTRATIONS_MODE: "none",
    });
    try {
      await writeSetting({ db: t.container.db, cache: t.container.cache, clock: t.container.clock }, "closed_registrations_message", "Invite only.");
      const v2 = (await t.request("GET", "/api/v2/instance")).body;
      assertEntity("Instance", v2);
      assert.equal(v2.configuration.urls.streaming, "wss://streaming.herd.test");
      assert.equal(v2.source_url, "https://code.example/herd");
      assert.deepEqual([v2.registrations.enabled, v2.registrations.message], [false, "<p>Invite only.</p>"]);
      assert.equal(v2.contact.account, null, "no owner or admin exists");
      const v1 = (await t.request("GET", "/api/v1/instance")).body;
      assert.equal(v1.urls.streaming_api, "wss://streaming.herd.test");
      assert.equal(v1.registrations, false);
    } finally {
      await t.close();
    }
  });
});
