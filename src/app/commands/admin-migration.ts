import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import { moveAccount, setAccountAlias } from "../../services/accounts/migration.ts";
import type { Container } from "../container.ts";
import { CommandError, HELP, UsageError } from "./usage.ts";

interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** A local username, a handle (`@user@host`) or an actor URL; remote ones are fetched (WebFinger, actor). */
async function findAccount(c: Container, query: string): Promise<AccountRecord> {
  const local = /^@?([A-Za-z0-9_]+)$/.exec(query) ?? new RegExp(`^@?([A-Za-z0-9_]+)@${c.config.localDomain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "i").exec(query);
  const found = local ? await c.db.repos.accounts.findLocalRecord(local[1]) : await c.resolver.resolveAccount(query);
  if (!found) throw new CommandError(`no account found for ${query}${local ? "" : " (looked up through WebFinger and its actor document)"}`);
  return found;
}

function parse(args: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), HELP.admin);
  }
}

/**
 * `herd admin accounts alias USERNAME --add|--remove ACCOUNT` and `herd admin accounts move USERNAME --to ACCOUNT`:
 * Mastodon's account aliases and migration, which it offers in its settings pages (not the client API).
 */
export async function runMigrationCommand(c: Container, action: "alias" | "move", args: string[], io: Output): Promise<void> {
  const { values, positionals } = parse(args, { add: { type: "string" }, remove: { type: "string" }, to: { type: "string" } });
  if (positionals.length !== 1) throw new UsageError(`accounts ${action} takes exactly one USERNAME`, HELP.admin);
  const username = positionals[0].replace(/^@/, "");
  const account = await c.db.repos.accounts.findLocalRecord(username);
  if (!account) throw new CommandError(`no local account is named ${username}`);
  if (action === "alias") {
    const add = values.add as string | undefined;
    const remove = values.remove as string | undefined;
    if ((add === undefined) === (remove === undefined)) throw new UsageError("accounts alias needs --add ACCOUNT or --remove ACCOUNT", HELP.admin);
    const alias = await findAccount(c, (add ?? remove)!);
    const result = await setAccountAlias(c.jobDeps, account.id, alias, add !== undefined);
    if (!result.ok) throw new CommandError(result.error.message);
    io.out(result.value.length === 0 ? `@${username} has no aliases.` : `@${username} is also known as:\n${result.value.map((u) => `  ${u}`).join("\n")}`);
    return;
  }
  const to = values.to as string | undefined;
  if (!to) throw new UsageError("accounts move needs --to ACCOUNT", HELP.admin);
  const target = await findAccount(c, to);
  const result = await moveAccount(c.jobDeps, account.id, target);
  if (!result.ok) throw new CommandError(result.error.message);
  io.out(`@${username} moved to ${target.domain === null ? `@${target.username}` : `@${target.username}@${target.domain}`}; ${result.value} local follower(s) moved, remote followers' servers are told.`);
}
