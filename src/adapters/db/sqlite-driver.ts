import { DatabaseSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

type SqlValue = null | number | bigint | string | Uint8Array;

/**
 * Adapts node:sqlite's DatabaseSync to the shape Kysely's SqliteDialect expects (it was written for
 * better-sqlite3, which would need a native build against Node 24). Kysely ships no such adapter, hence these
 * few lines. Statements are cached by SQL text (bounded), integers are read as bigint so 64-bit ids stay exact,
 * and booleans/Dates are turned into values SQLite can bind.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  #cache = new Map<string, SqliteStatement>();
  #cacheSize: number;

  constructor(path: string, cacheSize = 256) {
    this.raw = new DatabaseSync(path);
    this.#cacheSize = cacheSize;
  }

  close(): void {
    this.#cache.clear();
    this.raw.close();
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const s = this.raw.prepare(sql);
    s.setReadBigInts(true);
    // The wrapper is cached with the statement: asking node:sqlite for the columns on every call costs more
    // than the query on a hot path. Eviction is first-in-first-out: hot statements are re-prepared at most
    // once per 256 distinct queries, and the bookkeeping stays off the hot path.
    const wrapped: SqliteStatement = {
      reader: s.columns().length > 0,
      all: (parameters: ReadonlyArray<unknown>) => s.all(...bind(parameters)) as unknown[],
      run: (parameters: ReadonlyArray<unknown>) => {
        const r = s.run(...bind(parameters));
        return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
      },
      iterate: (parameters: ReadonlyArray<unknown>) => s.iterate(...bind(parameters)) as IterableIterator<unknown>,
    };
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, wrapped);
    return wrapped;
  }
}

function bind(parameters: ReadonlyArray<unknown>): SqlValue[] {
  return parameters.map((p) => {
    if (typeof p === "boolean") return p ? 1 : 0;
    if (p instanceof Date) return p.getTime();
    if (p === undefined) return null;
    return p as SqlValue;
  });
}
