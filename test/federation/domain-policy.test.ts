import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { coveringDomains, domainPolicy, DOMAIN_POLICY_TTL_MS, isDomainRefused, normalizeDomain, type DomainPolicyDeps } from "../../src/services/federation/domain-policy.ts";
import { allowDomain, blockDomain, disallowDomain, obfuscateDomain, unblockDomain, type DomainModerationDeps } from "../../src/services/federation/domain-moderation.ts";
import { domainModerationChangedHandler } from "../../src/jobs/domain-moderation.ts";
import { remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

describe("domain names for moderation", () => {
  it("normalizes what operators type and refuses what is no domain", () => {
    const good: [string, string][] = [
      ["Example.COM", "example.com"],
      ["example.com.", "example.com"],
      ["  social.example  ", "social.example"],
      ["bücher.example", "xn--bcher-kva.example"],
      ["ÉCOLE.example", "xn--cole-9oa.example"],
      ["*.spam.example", "spam.example"],
      ["localhost:3000", "localhost:3000"],
      ["127.0.0.1:08080", "127.0.0.1:8080"],
      ["[::1]:4000", "[::1]:4000"],
    ];
    for (const [input, expected] of good) assert.deepEqual(normalizeDomain(input), { ok: true, domain: expected }, input);
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["https://example.com/about", /without a scheme or path \("example\.com"\?\)/],
      ["example.com/users", /no path/],
      ["alice@example.com", /no path, query, user name/],
      ["exa mple.com", /spaces/],
      ["-bad-.example", /not a valid domain name/],
      ["a..b", /not a valid domain name/],
      ["example.com:0", /port/],
      ["example.com:99999", /port/],
      ["example.com:http", /is not a domain/],
      ["x".repeat(64) + ".example", /not a valid domain name/],
    ];
    for (const [input, message] of bad) {
      const r = normalizeDomain(input);
      assert.equal(r.ok, false, input);
      if (!r.ok) assert.match(r.error.message, message, input);
    }
  });

  it("lists the covering domains from the most specific, ports before portless, no parents for addresses", () => {
    assert.deepEqual(coveringDomains("a.b.example"), ["a.b.example", "b.example", "example"]);
    assert.deepEqual(coveringDomains("a.example:8443"), ["a.example:8443", "a.example", "example:8443", "example"]);
    assert.deepEqual(coveringDomains("10.0.0.1:3000"), ["10.0.0.1:3000", "10.0.0.1"]);
  });

  it("stars out the middle of a domain as Mastodon's example shows", () => {
    assert.equal(obfuscateDomain("dajiaoshou.com"), "daji******.com");
    assert.equal(obfuscateDomain("a.b"), "a.*");
    assert.equal(obfuscateDomain("spam.example.org"), "spam.*******.org");
  });
});

/** A clock the test moves by hand. */
function handClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function accountMarks(t: TestApp, id: string): Promise<{ suspendedAt: number | null; silencedAt: number | null }> {
  const row = await t.container.db.kysely.selectFrom("accounts").select(["suspended_at", "silenced_at"]).where("id", "=", BigInt(id)).executeTakeFirstOrThrow();
  return { suspendedAt: row.suspended_at === null ? null : Number(row.suspended_at), silencedAt: row.silenced_at === null ? null : Number(row.silenced_at) };
}

for (const variant of appVariants) {
  describe(`domain policy (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    let deps: DomainModerationDeps;
    before(async () => {
      t = await startTestApp(variant.name);
      deps = { db: t.container.db, cache: t.container.cache, clock: t.container.clock, instance: t.container.jobDeps.instance };
    });
    after(() => t?.close());

    it("suspends a domain with its subdomains and ports, and lifts only what the block set", async () => {
      const base = `${uniqueName("spam")}.example`;
      const top = await remoteAccount(t, "top", base);
      const sub = await remoteAccount(t, "sub", `a.${base}`);
      const ported = await remoteAccount(t, "ported", `${base}:8443`);
      const lookalike = await remoteAccount(t, "lookalike", `not${base}`);
      const earlier = await remoteAccount(t, "earlier", `b.${base}`);
      // Suspended by a moderator before the domain block: the block must not lift that.
      await t.container.db.kysely.updateTable("accounts").set({ suspended_at: 1_000 }).where("id", "=", BigInt(earlier)).execute();

      assert.deepEqual(await domainPolicy(deps, `a.${base}`), { suspended: false, silenced: false, rejectMedia: false, rejectReports: false, allowed: true, blockedAt: null });
      const r = await blockDomain(deps, { domain: base.toUpperCase(), severity: "suspend", rejectMedia: true, publicComment: "spam" });
      assert.ok(r.ok);
      assert.equal(r.value.created, true);
      assert.equal(r.value.block.domain, base);
      assert.equal(r.value.accountsChanged, 3);
      const at = r.value.block.createdAt;
      for (const id of [top, sub, ported]) assert.deepEqual(await accountMarks(t, id), { suspendedAt: at, silencedAt: null });
      assert.deepEqual(await accountMarks(t, lookalike), { suspendedAt: null, silencedAt: null });
      assert.equal((await accountMarks(t, earlier)).suspendedAt, 1_000);

      // Seen at once in this process (the cached open policy was dropped), for subdomains and ports too.
      for (const d of [base, `a.${base}`, `deep.a.${base}:8443`, base.toUpperCase()]) {
        const p = await domainPolicy(deps, d);
        assert.equal(p.suspended, true, d);
        assert.equal(p.rejectMedia, true, d);
        assert.equal(p.blockedAt, at, d);
        assert.equal(await isDomainRefused(deps, d), true, d);
      }
      assert.equal((await domainPolicy(deps, `not${base}`)).suspended, false);
      assert.equal(await isDomainRefused(deps, `not${base}`), false);

      // The API shows the account suspended: the cached rendering was forgotten.
      const shown = await t.request("GET", `/api/v1/accounts/${sub}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.suspended, true);

      // Re-blocking as silence lifts the suspensions it set and silences instead; other options stay.
      const again = await blockDomain(deps, { domain: base, severity: "silence" });
      assert.ok(again.ok);
      assert.equal(again.value.created, false);
      assert.equal(again.value.block.rejectMedia, true);
      assert.equal(again.value.block.publicComment, "spam");
      assert.equal(again.value.block.createdAt, at);
      for (const id of [top, sub, ported]) assert.deepEqual(await accountMarks(t, id), { suspendedAt: null, silencedAt: at });
      assert.deepEqual(await accountMarks(t, earlier), { suspendedAt: 1_000, silencedAt: at });
      const silenced = await domainPolicy(deps, `a.${base}`);
      assert.equal(silenced.silenced, true);
      assert.equal(silenced.suspended, false);
      assert.equal(await isDomainRefused(deps, `a.${base}`), false);
      const limited = await t.request("GET", `/api/v1/accounts/${sub}`);
      assert.equal(limited.body.limited, true);
      assert.equal(limited.body.suspended, undefined);

      const lifted = await unblockDomain(deps, base);
      assert.ok(lifted.ok);
      assert.equal(lifted.value.accountsChanged, 4);
      for (const id of [top, sub, ported]) assert.deepEqual(await accountMarks(t, id), { suspendedAt: null, silencedAt: null });
      assert.deepEqual(await accountMarks(t, earlier), { suspendedAt: 1_000, silencedAt: null });
      assert.equal((await domainPolicy(deps, `a.${base}`)).silenced, false);
      // Each change also queued the job that drops these caches in the serving process; it ran cleanly.
      await t.drain();
      assert.equal((await t.container.queue.counts("default")).dead, 0);
      const missing = await unblockDomain(deps, base);
      assert.deepEqual(missing, { ok: false, error: { kind: "not_found", domain: base } });
    });

    it("lets the most specific block decide, and a noop block carry only its options", async () => {
      const base = `${uniqueName("mixed")}.example`;
      assert.ok((await blockDomain(deps, { domain: base, severity: "suspend" })).ok);
      assert.ok((await blockDomain(deps, { domain: `media.${base}`, severity: "noop", rejectMedia: true, rejectReports: true })).ok);
      const inner = await domainPolicy(deps, `cdn.media.${base}`);
      assert.deepEqual({ ...inner, blockedAt: null }, { suspended: false, silenced: false, rejectMedia: true, rejectReports: true, allowed: true, blockedAt: null });
      assert.equal(inner.blockedAt, null, "a noop block marks no account");
      assert.equal((await domainPolicy(deps, `other.${base}`)).suspended, true);
      // A block on a port covers that port only.
      const host = `${uniqueName("port")}.example`;
      assert.ok((await blockDomain(deps, { domain: `${host}:8443`, severity: "suspend" })).ok);
      assert.equal((await domainPolicy(deps, `${host}:8443`)).suspended, true);
      assert.equal((await domainPolicy(deps, `a.${host}:8443`)).suspended, true);
      assert.equal((await domainPolicy(deps, host)).suspended, false);
      assert.equal((await domainPolicy(deps, `${host}:443`)).suspended, false);
    });

    it("refuses this server's own domain and bad names, and gives local accounts the open policy", async () => {
      assert.deepEqual(await blockDomain(deps, { domain: "herd.test", severity: "suspend" }), { ok: false, error: { kind: "own_domain" } });
      const bad = await blockDomain(deps, { domain: "https://evil.example/", severity: "suspend" });
      assert.equal(bad.ok, false);
      assert.equal((await domainPolicy(deps, null)).allowed, true);
      assert.equal((await domainPolicy(deps, "herd.test")).suspended, false);
      assert.equal((await domainPolicy(deps, "not a domain")).allowed, false);
    });

    it("keeps a result for a short while, so a change made by another process applies within the TTL", async () => {
      // Jobs of earlier tests drop every cached policy of this database when they run: let them finish first.
      await t.drain();
      const clock = handClock();
      const d: DomainPolicyDeps = { db: t.container.db, clock, instance: t.container.jobDeps.instance };
      const domain = `${uniqueName("elsewhere")}.example`;
      assert.equal((await domainPolicy(d, domain)).suspended, false);
      // As `herd admin domains block` in another process would: the row changes, this process's cache does not hear.
      const now = Date.now();
      await t.container.db.kysely
        .insertInto("domain_blocks")
        .values({ id: await t.container.db.nextId(), domain, severity: "suspend", reject_media: false, reject_reports: false, obfuscate: false, private_comment: null, public_comment: null, created_at: now, updated_at: now })
        .execute();
      clock.advance(DOMAIN_POLICY_TTL_MS - 1);
      assert.equal((await domainPolicy(d, domain)).suspended, false, "still the cached answer");
      clock.advance(2);
      assert.equal((await domainPolicy(d, domain)).suspended, true, "looked up again after the TTL");
    });

    it("drops this process's cached policies when the job queued by a change in another process runs here", async () => {
      // Jobs of earlier tests drop every cached policy of this database when they run: let them finish first.
      await t.drain();
      const clock = handClock();
      const d: DomainPolicyDeps = { db: t.container.db, clock, instance: t.container.jobDeps.instance };
      const domain = `${uniqueName("viajob")}.example`;
      const id = await remoteAccount(t, "viajob", domain);
      assert.equal((await domainPolicy(d, domain)).silenced, false);
      const now = Date.now();
      await t.container.db.kysely
        .insertInto("domain_blocks")
        .values({ id: await t.container.db.nextId(), domain, severity: "silence", reject_media: false, reject_reports: false, obfuscate: false, private_comment: null, public_comment: null, created_at: now, updated_at: now })
        .execute();
      assert.equal((await domainPolicy(d, domain)).silenced, false, "cached");
      const envelope = { id: "1", name: domainModerationChangedHandler.name, queue: domainModerationChangedHandler.queue, attempt: 1 } as never;
      await domainModerationChangedHandler.run(t.container.jobDeps, { accountIds: [id] }, envelope);
      assert.equal((await domainPolicy(d, domain)).silenced, true, "dropped by the job, well within the TTL");
    });
  });

  describe(`LIMITED_FEDERATION_MODE (${variant.name})`, { skip: variant.skip }, () => {
    let limited: TestApp;
    let open: TestApp;
    before(async () => {
      limited = await startTestApp(variant.name, { LIMITED_FEDERATION_MODE: "true" });
      open = await startTestApp(variant.name);
    });
    after(async () => {
      await limited?.close();
      await open?.close();
    });
    const depsOf = (t: TestApp): DomainModerationDeps => ({ db: t.container.db, cache: t.container.cache, clock: t.container.clock, instance: t.container.jobDeps.instance });

    it("federates only with allowed domains, exactly as listed; blocks still apply", async () => {
      const deps = depsOf(limited);
      assert.equal(deps.instance.limitedFederationMode, true);
      const friend = `${uniqueName("friend")}.example`;
      assert.equal((await domainPolicy(deps, friend)).allowed, false);
      assert.equal(await isDomainRefused(deps, friend), true);
      const added = await allowDomain(deps, friend.toUpperCase());
      assert.deepEqual(added, { ok: true, value: { domain: friend, created: true } });
      assert.deepEqual(await allowDomain(deps, friend), { ok: true, value: { domain: friend, created: false } });
      assert.equal((await domainPolicy(deps, friend)).allowed, true);
      assert.equal((await domainPolicy(deps, `${friend}:8443`)).allowed, true, "an allow without a port covers every port");
      assert.equal((await domainPolicy(deps, `sub.${friend}`)).allowed, false, "as Mastodon's: subdomains are not allowed with it");
      assert.equal(await isDomainRefused(deps, friend), false);
      assert.ok((await blockDomain(deps, { domain: friend, severity: "suspend" })).ok);
      assert.equal(await isDomainRefused(deps, friend), true, "a block wins over an allow");
      assert.ok((await unblockDomain(deps, friend)).ok);
      assert.deepEqual(await disallowDomain(deps, friend), { ok: true, value: { domain: friend } });
      assert.equal(await isDomainRefused(deps, friend), true);
      assert.deepEqual(await disallowDomain(deps, friend), { ok: false, error: { kind: "not_found", domain: friend } });

      // Another instance in the same process has its own cache and its own mode.
      assert.equal((await domainPolicy(depsOf(open), friend)).allowed, true);
      assert.equal(await isDomainRefused(depsOf(open), friend), false);
    });
  });
}
