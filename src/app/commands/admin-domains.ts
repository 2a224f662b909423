import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { DOMAIN_BLOCK_SEVERITIES, type DomainBlockRecord, type DomainBlockSeverity } from "../../ports/repositories/domain-moderation.ts";
import {
  allowDomain,
  blockDomain,
  disallowDomain,
  listDomainAllows,
  listDomainBlocks,
  unblockDomain,
  type DomainModerationDeps,
  type DomainModerationError,
} from "../../services/federation/domain-moderation.ts";
import { listUnavailableDomains } from "../../services/federation/delivery-state.ts";
import type { Container } from "../container.ts";
import { CommandError, HELP, UsageError } from "./usage.ts";

/** What the domain commands print to. */
export interface DomainsOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The actions `herd admin domains` takes. */
export const DOMAIN_ACTIONS = ["block", "unblock", "list", "allow", "disallow"];

function parse(args: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true, allowNegative: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), HELP.admin);
  }
}

function oneDomain(positionals: string[], action: string): string {
  if (positionals.length !== 1) throw new UsageError(`domains ${action} takes exactly one DOMAIN`, HELP.admin);
  return positionals[0];
}

/** Bad input is a usage error (exit 64); a missing record is a failure (exit 1). */
function fail(e: DomainModerationError): never {
  switch (e.kind) {
    case "invalid_domain": throw new UsageError(e.message, HELP.admin);
    case "own_domain": throw new UsageError("that is this server's own domain", HELP.admin);
    case "comment_too_long": throw new UsageError(`a comment may be at most ${e.max} characters long`, HELP.admin);
    case "not_found": throw new CommandError(`${e.domain} is not listed`);
  }
}

function table(io: DomainsOutput, rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.out(r.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd());
}

const oneLine = (text: string | null, max = 40) => {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
};

function describe(b: DomainBlockRecord): string {
  const options = [b.rejectMedia && "rejecting media", b.rejectReports && "rejecting reports", b.obfuscate && "obfuscated"].filter(Boolean);
  return `${b.domain}: ${b.severity}${options.length ? `, ${options.join(", ")}` : ""}`;
}

/** As Mastodon's admin API names the fields, for scripts. */
function blockJson(b: DomainBlockRecord) {
  return {
    id: String(b.id),
    domain: b.domain,
    severity: b.severity,
    reject_media: b.rejectMedia,
    reject_reports: b.rejectReports,
    obfuscate: b.obfuscate,
    public_comment: b.publicComment,
    private_comment: b.privateComment,
    created_at: new Date(b.createdAt).toISOString(),
    updated_at: new Date(b.updatedAt).toISOString(),
  };
}

/** Runs `herd admin domains ACTION …` on an open container. */
export async function runDomainsCommand(c: Container, action: string, args: string[], io: DomainsOutput): Promise<void> {
  const deps: DomainModerationDeps = { db: c.db, cache: c.cache, clock: c.clock, instance: c.jobDeps.instance };

  if (action === "block") {
    const { values, positionals } = parse(args, {
      severity: { type: "string" },
      "reject-media": { type: "boolean" },
      "reject-reports": { type: "boolean" },
      obfuscate: { type: "boolean" },
      "public-comment": { type: "string" },
      "private-comment": { type: "string" },
    });
    const domain = oneDomain(positionals, "block");
    const severity = values.severity as string | undefined;
    if (severity !== undefined && !(DOMAIN_BLOCK_SEVERITIES as readonly string[]).includes(severity))
      throw new UsageError(`--severity must be one of ${DOMAIN_BLOCK_SEVERITIES.join(", ")}`, HELP.admin);
    const result = await blockDomain(deps, {
      domain,
      severity: severity as DomainBlockSeverity | undefined,
      rejectMedia: values["reject-media"] as boolean | undefined,
      rejectReports: values["reject-reports"] as boolean | undefined,
      obfuscate: values.obfuscate as boolean | undefined,
      publicComment: values["public-comment"] as string | undefined,
      privateComment: values["private-comment"] as string | undefined,
    });
    if (!result.ok) fail(result.error);
    const r = result.value;
    io.out(`${r.created ? "Blocked" : "Updated the block on"} ${describe(r.block)}; ${r.accountsChanged} account(s) changed.`);
    return;
  }

  if (action === "unblock") {
    const { positionals } = parse(args, {});
    const result = await unblockDomain(deps, oneDomain(positionals, "unblock"));
    if (!result.ok) fail(result.error);
    io.out(`Unblocked ${result.value.block.domain}; ${result.value.accountsChanged} account(s) changed.`);
    return;
  }

  if (action === "allow" || action === "disallow") {
    const { positionals } = parse(args, {});
    const domain = oneDomain(positionals, action);
    if (action === "allow") {
      const result = await allowDomain(deps, domain);
      if (!result.ok) fail(result.error);
      io.out(result.value.created ? `Allowed ${result.value.domain}.` : `${result.value.domain} was already allowed.`);
    } else {
      const result = await disallowDomain(deps, domain);
      if (!result.ok) fail(result.error);
      io.out(`Removed ${result.value.domain} from the allowed domains.`);
    }
    if (!c.config.limitedFederationMode) io.err("Note: LIMITED_FEDERATION_MODE is off, so the allow-list has no effect.");
    return;
  }

  // list
  const { values } = parse(args, { json: { type: "boolean" }, allowed: { type: "boolean" }, unavailable: { type: "boolean" } });
  const json = Boolean(values.json);
  if (Boolean(values.allowed) && Boolean(values.unavailable)) throw new UsageError("domains list takes --allowed or --unavailable, not both", HELP.admin);

  // Domains the delivery circuit breaker stopped delivering to (failures on 7 distinct days, no success since).
  if (values.unavailable) {
    const down = await listUnavailableDomains(c.db);
    const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
    if (json) return io.out(JSON.stringify(down.map((d) => ({ domain: d.domain, unavailable_since: iso(d.since), last_failure_at: iso(d.lastFailureAt) || null }))));
    if (down.length === 0) return io.out("No unavailable domains.");
    return table(io, [["DOMAIN", "UNAVAILABLE SINCE", "LAST FAILURE"], ...down.map((d) => [d.domain, iso(d.since), iso(d.lastFailureAt)])]);
  }
  // ---- end of --unavailable ----

  if (values.allowed) {
    const allows = await listDomainAllows(deps);
    if (json) return io.out(JSON.stringify(allows.map((a) => ({ id: String(a.id), domain: a.domain, created_at: new Date(a.createdAt).toISOString() }))));
    if (allows.length === 0) return io.out("No allowed domains.");
    return table(io, [["DOMAIN", "ALLOWED"], ...allows.map((a) => [a.domain, new Date(a.createdAt).toISOString()])]);
  }

  const blocks = await listDomainBlocks(deps);
  if (json) return io.out(JSON.stringify(blocks.map(blockJson)));
  if (blocks.length === 0) return io.out("No domain blocks.");
  const yn = (b: boolean) => (b ? "yes" : "no");
  table(io, [
    ["DOMAIN", "SEVERITY", "MEDIA", "REPORTS", "OBFUSCATE", "CREATED", "PUBLIC COMMENT", "PRIVATE COMMENT"],
    ...blocks.map((b) => [
      b.domain,
      b.severity,
      b.rejectMedia ? "rejected" : "ok",
      b.rejectReports ? "rejected" : "ok",
      yn(b.obfuscate),
      new Date(b.createdAt).toISOString(),
      oneLine(b.publicComment),
      oneLine(b.privateComment),
    ]),
  ]);
}
