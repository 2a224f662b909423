import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runDomainsCommand } from "../../src/app/commands/admin-domains.ts";
import { CommandError, UsageError } from "../../src/app/commands/usage.ts";
import { domainPolicy } from "../../src/services/federation/domain-policy.ts";
import { remoteAccount } from "../support/accounts.ts";
import { uniqueName } from "../support/backends.ts";
import { runHerd, tempDataDir } from "../support/cli.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

/** Runs one `herd admin domains …` on the test app's container, collecting what it prints. */
async function domains(t: TestApp, action: string, ...args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  await runDomainsCommand(t.container, action, args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { out: out.join("\n"), err: err.join("\n") };
}

async function suspendedAt(t: TestApp, id: string): Promise<number | null> {
  const row = await t.container.db.kysely.selectFrom("accounts").select("suspended_at").where("id", "=", BigInt(id)).executeTakeFirstOrThrow();
  return row.suspended_at === null ? null : Number(row.suspended_at);
}

for (const v of appVariants) {
  describe(`herd admin domains (${v.name})`, { skip: v.skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(v.name);
    });
    after(() => t?.close());
    const policyDeps = () => ({ db: t.container.db, clock: t.container.clock, instance: t.container.jobDeps.instance });

    it("blocks, re-blocks, lists and unblocks, changing the domain's accounts", async () => {
      const base = `${uniqueName("cli")}.example`;
      const acct = await remoteAccount(t, "someone", `www.${base}`);
      const blocked = await domains(t, "block", base.toUpperCase(), "--severity", "suspend", "--reject-media", "--public-comment", "Spam", "--private-comment", "ticket 7");
      assert.equal(blocked.out, `Blocked ${base}: suspend, rejecting media; 1 account(s) changed.`);
      assert.ok((await suspendedAt(t, acct)) !== null);
      assert.equal((await domainPolicy(policyDeps(), `www.${base}`)).suspended, true);

      const listed = await domains(t, "list");
      const lines = listed.out.split("\n");
      assert.match(lines[0], /^DOMAIN\s+SEVERITY\s+MEDIA\s+REPORTS\s+OBFUSCATE\s+CREATED\s+PUBLIC COMMENT\s+PRIVATE COMMENT$/);
      assert.ok(lines.some((l) => new RegExp(`^${base.replace(/\./g, "\\.")}\\s+suspend\\s+rejected\\s+ok\\s+no\\s+\\S+Z\\s+Spam\\s+ticket 7$`).test(l)), listed.out);

      const again = await domains(t, "block", base, "--severity", "silence", "--no-reject-media", "--obfuscate", "--reject-reports");
      assert.equal(again.out, `Updated the block on ${base}: silence, rejecting reports, obfuscated; 1 account(s) changed.`);
      assert.equal(await suspendedAt(t, acct), null);
      const json = JSON.parse((await domains(t, "list", "--json")).out) as Record<string, unknown>[];
      const mine = json.find((b) => b.domain === base);
      assert.deepEqual(
        { ...mine, id: undefined, created_at: undefined, updated_at: undefined },
        { id: undefined, domain: base, severity: "silence", reject_media: false, reject_reports: true, obfuscate: true, public_comment: "Spam", private_comment: "ticket 7", created_at: undefined, updated_at: undefined },
      );
      assert.match(String(mine?.id), /^\d+$/);
      assert.equal(Date.parse(String(mine?.created_at)) > 0, true);

      const lifted = await domains(t, "unblock", base);
      assert.equal(lifted.out, `Unblocked ${base}; 1 account(s) changed.`);
      assert.equal((await domainPolicy(policyDeps(), `www.${base}`)).silenced, false);
      assert.ok(!(await domains(t, "list")).out.includes(base));
      await assert.rejects(domains(t, "unblock", base), (e: unknown) => e instanceof CommandError && e.message === `${base} is not listed`);
    });

    it("keeps the allow-list, warning while LIMITED_FEDERATION_MODE is off", async () => {
      const friend = `${uniqueName("friend")}.example`;
      const allowed = await domains(t, "allow", friend);
      assert.equal(allowed.out, `Allowed ${friend}.`);
      assert.match(allowed.err, /LIMITED_FEDERATION_MODE is off/);
      assert.equal((await domains(t, "allow", friend)).out, `${friend} was already allowed.`);
      const list = await domains(t, "list", "--allowed");
      assert.match(list.out, /^DOMAIN\s+ALLOWED$/m);
      assert.match(list.out, new RegExp(`^${friend.replace(/\./g, "\\.")}\\s+\\S+Z$`, "m"));
      const json = JSON.parse((await domains(t, "list", "--allowed", "--json")).out) as { domain: string }[];
      assert.ok(json.some((a) => a.domain === friend));
      assert.equal((await domains(t, "disallow", friend)).out, `Removed ${friend} from the allowed domains.`);
      await assert.rejects(domains(t, "disallow", friend), CommandError);
    });

    it("refuses bad input as a usage error", async () => {
      const usage = async (args: string[], message: RegExp) =>
        assert.rejects(domains(t, args[0], ...args.slice(1)), (e: unknown) => e instanceof UsageError && message.test(e.message));
      await usage(["block", "https://spam.example/"], /without a scheme or path \("spam\.example"\?\)/);
      await usage(["block", "spam.example/path"], /no path/);
      await usage(["block", "spam.example", "--severity", "nuke"], /--severity must be one of silence, suspend, noop/);
      await usage(["block", "herd.test", "--severity", "suspend"], /this server's own domain/);
      await usage(["block"], /takes exactly one DOMAIN/);
      await usage(["block", "a.example", "b.example"], /takes exactly one DOMAIN/);
      await usage(["block", "a.example", "--colour"], /Unknown option '--colour'/);
      await usage(["allow", "bad domain"], /spaces/);
      await usage(["list", "--allowed", "--unavailable"], /not both/);
    });
  });
}

describe("herd admin domains as a process", () => {
  it("is listed in admin --help and exits 64 on a bad domain", async () => {
    const help = await runHerd(["admin", "--help"], {});
    assert.equal(help.code, 0);
    for (const line of [/domains block DOMAIN \[--severity silence\|suspend\|noop\]/, /domains unblock DOMAIN/, /domains list \[--json\] \[--allowed \| --unavailable\]/, /domains allow DOMAIN/, /domains disallow DOMAIN/])
      assert.match(help.stdout, line);
    const noAction = await runHerd(["admin", "domains"], {});
    assert.equal(noAction.code, 64);
    assert.match(noAction.stderr, /herd admin domains takes block, unblock, list, allow, disallow/);

    const env = { DATA_DIR: tempDataDir(), LOCAL_DOMAIN: "cli.test", LOCAL_HTTPS: "false" };
    assert.equal((await runHerd(["migrate"], env)).code, 0);
    const bad = await runHerd(["admin", "domains", "block", "http://spam.example/x", "--severity", "suspend"], env);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /give the domain alone, without a scheme or path/);
    const ok = await runHerd(["admin", "domains", "block", "Spam.Example", "--severity", "suspend"], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Blocked spam\.example: suspend; 0 account\(s\) changed\./);
    const listed = await runHerd(["admin", "domains", "list", "--json"], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((b: { domain: string; severity: string }) => [b.domain, b.severity]), [["spam.example", "suspend"]]);
  });
});
