import { randomBytes } from "node:crypto";
import pg from "pg";
import { SqliteDatabase } from "../../src/adapters/db/sqlite-database.ts";
import { PostgresDatabase } from "../../src/adapters/db/postgres-database.ts";
import type { KyselyDatabase } from "../../src/adapters/db/kysely-database.ts";
import { migrateToLatest } from "../../src/adapters/db/migrations/index.ts";
import { systemClock, type Clock } from "../../src/ports/clock.ts";

/** Real PostgreSQL and Redis for tests, given by CI; unset means those variants are skipped with this reason. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || null;
export const SKIP_POSTGRES = TEST_DATABASE_URL ? false : "TEST_DATABASE_URL is not set: PostgreSQL variant skipped";
export const SKIP_REDIS = TEST_REDIS_URL ? false : "TEST_REDIS_URL is not set: Redis variant skipped";

export const quietLog = { error() {}, warn() {}, info() {}, debug() {} };

export function uniqueName(prefix = "herd_test"): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

/** A fresh, empty PostgreSQL database for one test; `drop` removes it. */
export async function createPostgresDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set");
  const name = uniqueName();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A unique Redis key prefix for one test, so tests never see each other's keys. */
export function redisPrefix(): string {
  return `${uniqueName("t")}:`;
}

export interface TestDatabase {
  readonly db: KyselyDatabase;
  /** Connection string for child processes (PostgreSQL only). */
  readonly url: string | null;
  close(): Promise<void>;
}

/** The two database engines every repository and queue test runs on. */
export const databaseEngines: readonly {
  name: "sqlite" | "postgres";
  skip: string | false;
  open: (clock?: Clock) => Promise<TestDatabase>;
}[] = [
  {
    name: "sqlite",
    skip: false,
    open: async (clock = systemClock) => {
      const db = new SqliteDatabase(":memory:", clock, quietLog);
      await migrateToLatest(db.kysely, "sqlite");
      return { db, url: null, close: () => db.close() };
    },
  },
  {
    name: "postgres",
    skip: SKIP_POSTGRES,
    open: async (clock = systemClock) => {
      const { url, drop } = await createPostgresDatabaseUrl();
      const db = new PostgresDatabase(url, 5, clock, quietLog);
      await migrateToLatest(db.kysely, "postgres");
      return {
        db,
        url,
        close: async () => {
          await db.close();
          await drop();
        },
      };
    },
  },
];
