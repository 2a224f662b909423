import { sql, type Kysely } from "kysely";
import { migrateToLatest } from "./migrations/index.ts";
import type { PostgresDatabase } from "./postgres-database.ts";
import { rebuildPostgresSearchIndex } from "./search/postgres-search-index.ts";
import { TABLES_IN_COPY_ORDER, type Tables } from "./schema.ts";
import type { SqliteDatabase } from "./sqlite-database.ts";

export interface CopyProgress {
  (table: string, copied: number, total: number): void;
}

export interface CopyReport {
  readonly tables: readonly { table: string; rows: number }[];
}

const BATCH = 500;

/**
 * Copies an embedded instance into an empty PostgreSQL database: the schema by migrations, then every table
 * in primary-key order, parents first, in batches; then the id-block sequence; then row counts are compared.
 * Run it with the server stopped (or accept that writes made during the copy stay behind).
 */
export async function copySqliteToPostgres(source: SqliteDatabase, target: PostgresDatabase, progress?: CopyProgress): Promise<CopyReport> {
  const existing = await sql<{ n: string }>`
    select count(*) as n from information_schema.tables where table_schema = current_schema()`.execute(target.kysely);
  if (Number(existing.rows[0].n) > 0)
    throw new Error("the target database is not empty; create a new database (createdb herd_production) and copy into it");

  const sourceTables = (
    await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'
      and name not like 'status_search%'`.execute(source.kysely)
  ).rows.map((r) => r.name);
  const unknown = sourceTables.filter((t) => t !== "counters" && !(TABLES_IN_COPY_ORDER as readonly string[]).includes(t));
  if (unknown.length > 0) throw new Error(`tables ${unknown.join(", ")} are not in TABLES_IN_COPY_ORDER: this build cannot copy them`);

  await migrateToLatest(target.kysely, "postgres");
  const report: { table: string; rows: number }[] = [];
  for (const table of TABLES_IN_COPY_ORDER) {
    const key = await primaryKeyOf(source.kysely, table);
    const total = Number((await sql<{ n: bigint }>`select count(*) as n from ${sql.table(table)}`.execute(source.kysely)).rows[0].n);
    let copied = 0;
    let after: unknown = null;
    for (;;) {
      const page: Record<string, unknown>[] = (
        await sql<Record<string, unknown>>`
          select * from ${sql.table(table)}
          ${after === null ? sql`` : sql`where ${sql.ref(key)} > ${after}`}
          order by ${sql.ref(key)} limit ${BATCH}`.execute(source.kysely)
      ).rows;
      if (page.length === 0) break;
      await target.kysely.transaction().execute(async (trx) => {
        await (trx as unknown as Kysely<any>).insertInto(table).values(page.map(forPostgres)).execute();
      });
      copied += page.length;
      after = page[page.length - 1][key];
      progress?.(table, copied, total);
    }
    const inTarget = Number(
      (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(target.kysely)).rows[0].n,
    );
    if (inTarget !== total) throw new Error(`${table}: copied ${inTarget} rows but the source has ${total}`);
    report.push({ table, rows: total });
  }

  // The search index is engine-specific (FTS5 here, tsvector there): rebuilt from the copied statuses.
  await rebuildPostgresSearchIndex(target.kysely);

  const blocks = await source.kysely.selectFrom("counters").select("value").where("name", "=", "id_blocks").executeTakeFirst();
  if (blocks) await sql`select setval('herd_id_blocks', ${String(blocks.value)})`.execute(target.kysely);
  return { tables: report };
}

async function primaryKeyOf(db: Kysely<Tables>, table: string): Promise<string> {
  const cols = (await sql<{ name: string; pk: bigint }>`select name, pk from pragma_table_info(${table})`.execute(db)).rows;
  const pk = cols.filter((c) => Number(c.pk) > 0);
  if (pk.length !== 1) throw new Error(`${table} has no single-column primary key to copy it in order by`);
  return pk[0].name;
}

/** SQLite hands back bigints (ids, timestamps, 0/1 booleans); pg takes them as text, which PostgreSQL casts. */
function forPostgres(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? v.toString() : v;
  return out;
}
