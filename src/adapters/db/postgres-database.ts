import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Clock } from "../../ports/clock.ts";
import type { PoolStats } from "../../ports/database.ts";
import { KyselyDatabase, type Logger } from "./kysely-database.ts";
import { preparingClient, statementNames } from "./prepared-statements.ts";
import type { Tables } from "./schema.ts";

/**
 * The scale-out database. No session state and no LISTEN, so it works behind PgBouncer in transaction mode;
 * repeated statements are prepared (see prepared-statements.ts), which PgBouncer supports from 1.21 on
 * (max_prepared_statements); `preparedStatements: false` (PREPARED_STATEMENTS=false) for older ones. The pool
 * size is DB_POOL per process.
 */
export class PostgresDatabase extends KyselyDatabase {
  readonly engine = "postgres" as const;
  readonly pool: pg.Pool;

  constructor(url: string, poolSize: number, clock: Clock, log: Logger, options: { preparedStatements?: boolean } = {}) {
    const pool = new pg.Pool({
      Client: preparingClient(statementNames(options.preparedStatements ?? true)),
      connectionString: url,
      max: poolSize,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: "herd",
    });
    // An idle client that loses its server (restart, failover) emits here; without a listener the process dies.
    pool.on("error", (err) => log.error({ err }, "idle PostgreSQL connection failed"));
    super(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), clock, log);
    this.pool = pool;
  }

  protected async reserveBlock(db: Kysely<Tables>): Promise<number> {
    // nextval is never rolled back, so a block taken in a transaction that fails is simply skipped.
    const { rows } = await sql<{ n: string }>`select nextval('herd_id_blocks') as n`.execute(db);
    return Number(rows[0].n);
  }

  poolStats(): PoolStats {
    return {
      total: this.pool.totalCount,
      inUse: this.pool.totalCount - this.pool.idleCount,
      waiting: this.pool.waitingCount,
    };
  }

  /** Autovacuum and autoanalyze keep PostgreSQL in shape; nothing to do here. */
  override async maintain(): Promise<void> {}

  protected async closePool(): Promise<void> {
    await this.kysely.destroy();
  }
}
