import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection } from "kysely";
import type { Clock } from "../../ports/clock.ts";
import type { PoolStats } from "../../ports/database.ts";
import { KyselyDatabase, type Logger } from "./kysely-database.ts";
import type { Tables } from "./schema.ts";
import { SqliteCheckpointer } from "./sqlite-checkpointer.ts";
import { NodeSqliteDatabase } from "./sqlite-driver.ts";
import { SqliteRowCache } from "./sqlite-row-cache.ts";

/**
 * Kysely's SqliteDriver begins with a deferred BEGIN; with a second process (the admin CLI) writing, a deferred
 * transaction that later writes can fail at once with SQLITE_BUSY. BEGIN IMMEDIATE takes the write lock up
 * front, so busy_timeout applies and the transaction waits instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** The embedded database: one file under DATA_DIR (or `:memory:` in tests), WAL mode. */
export class SqliteDatabase extends KyselyDatabase {
  readonly engine = "sqlite" as const;
  readonly raw: NodeSqliteDatabase;
  readonly #checkpointer: SqliteCheckpointer | null;

  constructor(path: string, clock: Clock, log: Logger) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const raw = new NodeSqliteDatabase(path);
    raw.raw.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      PRAGMA foreign_keys = ON;
      PRAGMA temp_store = MEMORY;
    `);
    const kysely = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
    // Every home page reads the same recent statuses; 10,000 of them are a few MiB.
    super(kysely, clock, log, { statuses: new SqliteRowCache(raw, "statuses", 10_000) });
    this.raw = raw;
    // A file's checkpoints run on their own thread (see SqliteCheckpointer); an in-memory database has no log.
    this.#checkpointer = path === ":memory:" ? null : new SqliteCheckpointer(path, (reason) => {
      log.error({ reason }, "SQLite checkpoint thread failed; checkpoints run in the commits again");
      if (raw.raw.isOpen) raw.raw.exec("PRAGMA wal_autocheckpoint = 1000");
    });
    if (this.#checkpointer) raw.raw.exec("PRAGMA wal_autocheckpoint = 0");
  }

  protected async reserveBlock(db: Kysely<Tables>): Promise<number> {
    const row = await db
      .insertInto("counters")
      .values({ name: "id_blocks", value: 1 })
      .onConflict((oc) => oc.column("name").doUpdateSet((eb) => ({ value: eb("counters.value", "+", 1) })))
      .returning("value")
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }

  poolStats(): PoolStats {
    // One connection, serialised by Kysely's mutex.
    return { total: 1, inUse: 0, waiting: 0 };
  }

  override async maintain(): Promise<void> {
    this.raw.raw.exec("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
  }

  protected async closePool(): Promise<void> {
    await this.#checkpointer?.stop();
    await this.kysely.destroy();
  }
}
