import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { Config } from "../../config/config.ts";
import { QUEUE_NAMES, type QueueName } from "../../ports/job-queue.ts";
import { USER_ROLES, type LocalAccount, type UserRole } from "../../ports/repositories/accounts.ts";
import { createAccount, listAccounts, modifyAccount } from "../../services/admin/accounts.ts";
import { runMigrationCommand } from "./admin-migration.ts";
import { createAccessToken } from "../../services/admin/tokens.ts";
import { silentLogger } from "../logger.ts";
import { buildContainer, type Container } from "../container.ts";
import { pendingMigrations } from "../../adapters/db/migrations/index.ts";
import { copyDatabaseTo } from "./db-copy.ts";
import { isPlausibleEmail } from "../../domain/accounts.ts";
import { jobRequest } from "../../jobs/define-job.ts";
import { deliverTestMail } from "../../jobs/test-mail.ts";
import { CONTENT_AREAS, runContentCommand } from "./admin-content.ts";
import { DOMAIN_ACTIONS, runDomainsCommand } from "./admin-domains.ts";
import { CommandError, HELP, UsageError } from "./usage.ts";

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const USERNAME_PROBLEMS = {
  blank: "the username is empty",
  too_long: "the username is longer than 30 characters",
  invalid: "the username may only hold letters, digits and underscores, with dots or dashes only between them",
  reserved: "the username is reserved",
} as const;

/** `herd admin …`: operator commands over the configured backends. */
export async function runAdmin(config: Config, args: string[], io: Output): Promise<void> {
  const [area, action, ...rest] = args;
  if (!area || area === "--help" || area === "-h") {
    io.out(HELP.admin);
    if (!area) throw new UsageError("herd admin needs an area: accounts, tokens, jobs, mail, db, media, domains, settings, rules, emoji or announcements", HELP.admin);
    return;
  }
  if (area === "db" && action === "copy") return copyDatabaseTo(config, rest, io);
  if (area === "media") return (await import("./admin-media.ts")).runMediaCommand(config, action, rest, io);
  const known: Record<string, string[]> = {
    accounts: ["create", "list", "modify", "alias", "move"],
    tokens: ["create"],
    jobs: ["list", "retry", "clear"],
    mail: ["test"],
    ...CONTENT_AREAS,
    domains: DOMAIN_ACTIONS,
  };
  if (!known[area]) throw new UsageError(`unknown area ${JSON.stringify(area)}`, HELP.admin);
  if (!action || !known[area].includes(action))
    throw new UsageError(`herd admin ${area} takes ${known[area].join(", ")}`, HELP.admin);

  const c = await buildContainer(config, silentLogger, { role: "admin", checks: false, relayJobs: false });
  try {
    const pending = await pendingMigrations(c.db.kysely, c.db.engine);
    if (pending.length > 0)
      throw new CommandError(`the database has ${pending.length} pending migration(s): run \`herd migrate\` first (herd start applies them itself)`);
    if (area === "accounts" && action === "create") await accountsCreate(c, rest, io);
    else if (area === "accounts" && action === "list") await accountsList(c, rest, io);
    else if (area === "accounts" && action === "modify") await accountsModify(c, rest, io);
    else if (area === "accounts" && (action === "alias" || action === "move")) await runMigrationCommand(c, action, rest, io);
    else if (area === "tokens") await tokensCreate(c, rest, io);
    else if (area === "mail") await mailTest(c, rest, io);
    else if (area in CONTENT_AREAS) await runContentCommand(c, area, action, rest, io);
    else if (area === "domains") await runDomainsCommand(c, action, rest, io);
    else await jobs(c, action, rest, io);
  } finally {
    await c.close();
  }
}

function parse(args: string[], options: ParseArgsOptionsConfig): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as never;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), HELP.admin);
  }
}

function role(value: string | undefined): UserRole | undefined {
  if (value === undefined) return undefined;
  if (!(USER_ROLES as readonly string[]).includes(value))
    throw new UsageError(`--role must be one of ${USER_ROLES.join(", ")}`, HELP.admin);
  return value as UserRole;
}

function oneUsername(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one USERNAME`, HELP.admin);
  return positionals[0].replace(/^@/, "");
}

async function accountsCreate(c: Container, args: string[], io: Output) {
  const { values, positionals } = parse(args, {
    email: { type: "string" },
    password: { type: "string" },
    role: { type: "string" },
    confirmed: { type: "boolean" },
    approve: { type: "boolean" },
  });
  const username = oneUsername(positionals, "accounts create");
  if (!values.email) throw new UsageError("accounts create needs --email", HELP.admin);
  const result = await createAccount(c.jobDeps, {
    username,
    email: values.email as string,
    password: values.password as string | undefined,
    role: role(values.role as string | undefined) ?? "user",
    confirmed: Boolean(values.confirmed),
    // As tootctl: approved unless registrations need approval, where --approve approves at once.
    approved: Boolean(values.approve) || c.config.registrationsMode !== "approved",
  });
  if (!result.ok) {
    const e = result.error;
    switch (e.kind) {
      case "username": throw new CommandError(USERNAME_PROBLEMS[e.problem]);
      case "email_invalid": throw new CommandError(`${JSON.stringify(values.email)} is not an e-mail address`);
      case "password_length": throw new CommandError(`the password must be ${e.min} to ${e.max} characters long`);
      case "taken": throw new CommandError(`the username ${username} or the e-mail ${values.email} is already taken`);
    }
  }
  const { account, generatedPassword } = result.value;
  io.out(`Created @${account.username} (${account.email}), role ${account.role}${account.confirmed ? ", confirmed" : ", unconfirmed"}.`);
  if (generatedPassword) io.out(`New password: ${generatedPassword}`);
}

async function accountsList(c: Container, args: string[], io: Output) {
  parse(args, {});
  const rows: string[][] = [["USERNAME", "EMAIL", "ROLE", "CONFIRMED", "APPROVED", "DISABLED", "CREATED"]];
  for await (const a of listAccounts(c.jobDeps)) rows.push(accountRow(a));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.out(r.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd());
}

function accountRow(a: LocalAccount): string[] {
  const yn = (b: boolean) => (b ? "yes" : "no");
  return [a.username, a.email, a.role, yn(a.confirmed), yn(a.approved), yn(a.disabled), new Date(a.createdAt).toISOString()];
}

async function accountsModify(c: Container, args: string[], io: Output) {
  const { values, positionals } = parse(args, {
    role: { type: "string" },
    disable: { type: "boolean" },
    enable: { type: "boolean" },
    approve: { type: "boolean" },
    "reset-password": { type: "boolean" },
  });
  const username = oneUsername(positionals, "accounts modify");
  if (values.disable && values.enable) throw new UsageError("--disable and --enable contradict each other", HELP.admin);
  const result = await modifyAccount(c.jobDeps, username, {
    role: role(values.role as string | undefined),
    disabled: values.disable ? true : values.enable ? false : undefined,
    approve: Boolean(values.approve),
    resetPassword: Boolean(values["reset-password"]),
  });
  if (!result.ok) {
    if (result.error.kind === "not_found") throw new CommandError(`no local account is named ${username}`);
    throw new UsageError("accounts modify needs --role, --disable, --enable, --approve or --reset-password", HELP.admin);
  }
  const a = result.value.account;
  io.out(`@${a.username}: role ${a.role}, ${a.disabled ? "disabled" : "enabled"}, ${a.approved ? "approved" : "not approved"}.`);
  if (result.value.newPassword) io.out(`New password: ${result.value.newPassword}`);
}

async function tokensCreate(c: Container, args: string[], io: Output) {
  const { values, positionals } = parse(args, { scopes: { type: "string" } });
  const username = oneUsername(positionals, "tokens create");
  const result = await createAccessToken(c.jobDeps, username, (values.scopes as string | undefined) ?? "read write follow push");
  if (!result.ok) {
    const e = result.error;
    if (e.kind === "not_found") throw new CommandError(`no local account is named ${username}`);
    if (e.kind === "disabled") throw new CommandError(`@${username} is disabled: enable it first with \`herd admin accounts modify ${username} --enable\``);
    throw new UsageError(`--scopes ${JSON.stringify(e.scopes)} holds an unknown scope (known: read, write, follow, push, profile, admin:read, admin:write and their read:… / write:… parts)`, HELP.admin);
  }
  // Only the token goes to stdout, so `TOKEN=$(herd admin tokens create alice)` works.
  io.out(result.value.token);
  io.err(`Access token for @${result.value.username} with scopes: ${result.value.scopes.join(" ")}. Use it as "Authorization: Bearer <token>".`);
}

async function mailTest(c: Container, args: string[], io: Output) {
  const { values } = parse(args, { to: { type: "string" } });
  const to = values.to as string | undefined;
  if (!to || !isPlausibleEmail(to)) throw new UsageError("mail test needs --to ADDRESS", HELP.admin);
  await c.queue.enqueue([jobRequest(deliverTestMail, { to, requestedAt: new Date(c.clock.now()).toISOString() })]);
  io.out(`Queued a test message to ${to} on the mailers queue; a worker (herd worker or herd start) sends it.`);
}

function queueOf(value: unknown, required: boolean): QueueName | null {
  if (value === undefined) {
    if (required) throw new UsageError(`--queue is required; queues are ${QUEUE_NAMES.join(", ")}`, HELP.admin);
    return null;
  }
  if (!(QUEUE_NAMES as readonly string[]).includes(value as string))
    throw new UsageError(`unknown queue ${JSON.stringify(value)}; queues are ${QUEUE_NAMES.join(", ")}`, HELP.admin);
  return value as QueueName;
}

async function jobs(c: Container, action: string, args: string[], io: Output) {
  const { values } = parse(args, { queue: { type: "string" }, id: { type: "string", multiple: true } });
  const ids = values.id as string[] | undefined;
  if (action === "list") {
    const only = queueOf(values.queue, false);
    io.out("QUEUE      WAITING  DELAYED  ACTIVE  DEAD");
    for (const q of only ? [only] : QUEUE_NAMES) {
      const n = await c.queue.counts(q);
      io.out(`${q.padEnd(9)}  ${String(n.waiting).padStart(7)}  ${String(n.delayed).padStart(7)}  ${String(n.active).padStart(6)}  ${String(n.dead).padStart(4)}`);
    }
    if (only) {
      const dead = await c.queue.listDead(only, 100);
      if (dead.length > 0) io.out(`\nDead jobs in ${only} (newest 100):`);
      for (const d of dead)
        io.out(`${d.id}  ${d.name}  attempts ${d.attempts}  failed ${new Date(d.failedAt).toISOString()}  ${d.error.split("\n")[0]}`);
    }
    return;
  }
  const q = queueOf(values.queue, true)!;
  const n = action === "retry" ? await c.queue.retryDead(q, ids) : await c.queue.clearDead(q, ids);
  io.out(`${action === "retry" ? "Retried" : "Cleared"} ${n} dead job(s) in ${q}.`);
}
