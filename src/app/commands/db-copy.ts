import { parseArgs } from "node:util";
import type { Config } from "../../config/config.ts";
import { silentLogger } from "../logger.ts";
import { systemClock } from "../../ports/clock.ts";
import { pendingMigrations } from "../../adapters/db/migrations/index.ts";
import type { Output } from "./admin.ts";
import { CommandError, HELP, UsageError } from "./usage.ts";

/** `herd admin db copy --to postgres://…`: moves an embedded instance to PostgreSQL. */
export async function copyDatabaseTo(config: Config, args: string[], io: Output): Promise<void> {
  let to: string | undefined;
  try {
    to = parseArgs({ args, options: { to: { type: "string" } }, strict: true }).values.to;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), HELP.admin);
  }
  if (!to || !/^postgres(ql)?:\/\//.test(to)) throw new UsageError("db copy needs --to postgres://user@host/database", HELP.admin);
  if (config.database.kind !== "sqlite")
    throw new CommandError("db copy copies the embedded SQLite database; DATABASE_URL is set, so this instance already runs on PostgreSQL");

  const { SqliteDatabase } = await import("../../adapters/db/sqlite-database.ts");
  const { PostgresDatabase } = await import("../../adapters/db/postgres-database.ts");
  const { copySqliteToPostgres } = await import("../../adapters/db/copy-database.ts");
  const source = new SqliteDatabase(config.database.path, systemClock, silentLogger);
  const target = new PostgresDatabase(to, 4, systemClock, silentLogger);
  try {
    if ((await pendingMigrations(source.kysely, "sqlite")).length > 0)
      throw new CommandError("the embedded database has pending migrations: run `herd migrate` first");
    await target.ping().catch((cause) => {
      throw new CommandError(`cannot reach ${redact(to!)}: ${cause instanceof Error ? cause.message : String(cause)}`);
    });
    let last = "";
    const report = await copySqliteToPostgres(source, target, (table, copied, total) => {
      if (table !== last || copied === total) io.err(`${table}: ${copied}/${total}`);
      last = table;
    }).catch((cause) => {
      if (cause instanceof CommandError) throw cause;
      throw new CommandError(`copy failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    });
    for (const t of report.tables) io.out(`${t.table.padEnd(22)} ${t.rows} rows`);
    io.out(`Copied and verified. Set DATABASE_URL=${redact(to)} (and REDIS_URL to scale out) and start Herd again.`);
  } finally {
    await source.close();
    await target.close();
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
