import { DatabaseSync, StatementSync } from "node:sqlite";
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
  // Statements run that may have changed or removed existing rows: "u:<table>" for changes (UPDATE, REPLACE,
  // upserts), "d:<table>" for deletes, "*" for schema changes (tablesChangedBy).
  #changes = new Map<string, number>();
  #dataVersion: StatementSync | null = null;
  #taskDataVersion: number | null = null;
  // Per table, whose statements may change its rows (foreign keys), until the schema changes.
  #sources = new Map<string, { readonly changes: readonly string[] }>();

  constructor(path: string, cacheSize = 256) {
    this.raw = new DatabaseSync(path);
    this.#cacheSize = cacheSize;
  }

  /**
   * How many statements that may have changed or removed rows of `table` this connection has run: changes of
   * the table, deletes from it or from a table whose deletes reach it through foreign keys (cascades, SET NULL),
   * changes of a table whose updates reach it, and schema changes. Inserts of new rows do not count: they change
   * no row already read.
   */
  changesOf(table: string): number {
    let n = this.#changes.get("*") ?? 0;
    for (const key of this.#sourcesOf(table).changes) n += this.#changes.get(key) ?? 0;
    return n;
  }

  /**
   * SQLite's data_version: it moves when another connection (the admin CLI, say) commits a change. Asked once per
   * task of the event loop (the callback that runs and the promise jobs it leads to): another process's commit
   * can reach this one only through I/O, which waits for the task to end, so within it the answer is the same.
   */
  dataVersion(): number {
    if (this.#taskDataVersion === null) {
      if (this.#dataVersion === null) {
        this.#dataVersion = this.raw.prepare("pragma data_version");
        this.#dataVersion.setReturnArrays(true);
      }
      this.#taskDataVersion = Number((this.#dataVersion.get() as unknown as [number | bigint])[0]);
      process.nextTick(() => (this.#taskDataVersion = null));
    }
    return this.#taskDataVersion;
  }

  #ran(keys: readonly string[]): void {
    for (const k of keys) this.#changes.set(k, (this.#changes.get(k) ?? 0) + 1);
    if (keys.includes("*")) this.#sources.clear();
  }

  #sourcesOf(table: string): { readonly changes: readonly string[] } {
    let hit = this.#sources.get(table);
    if (hit === undefined) {
      const keys = new Set<string>([`u:${table}`, `d:${table}`]);
      const foreignKeys = (name: string) =>
        this.raw.prepare("select \"table\" as parent, on_update, on_delete from pragma_foreign_key_list(?)").all(name) as {
          parent: string; on_update: string; on_delete: string;
        }[];
      // Deleting rows of `name` reaches the tables whose keys cascade from it, and so on up.
      const deletesOf = (name: string, seen: Set<string>) => {
        if (seen.has(name)) return;
        seen.add(name);
        keys.add(`d:${name}`);
        for (const fk of foreignKeys(name)) if (fk.on_delete === "CASCADE") deletesOf(fk.parent, seen);
      };
      const seen = new Set<string>([table]);
      for (const fk of foreignKeys(table)) {
        if (acts(fk.on_delete)) deletesOf(fk.parent, seen);
        if (acts(fk.on_update)) keys.add(`u:${fk.parent}`);
      }
      hit = { changes: [...keys] };
      this.#sources.set(table, hit);
    }
    return hit;
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
    const columns = s.columns().map((c) => c.name);
    const toRow = rowFactory(columns);
    const changes = tablesChangedBy(sql);
    // node:sqlite builds a row object property by property, about a third of a wide query's cost; rows read as
    // arrays and shaped by a function made once per statement come out the same for a third less.
    if (toRow) s.setReturnArrays(true);
    // The wrapper is cached with the statement: asking node:sqlite for the columns on every call costs more
    // than the query on a hot path. Eviction is first-in-first-out: hot statements are re-prepared at most
    // once per 256 distinct queries, and the bookkeeping stays off the hot path.
    const wrapped: SqliteStatement = {
      reader: columns.length > 0,
      all: toRow
        ? (parameters: ReadonlyArray<unknown>) => (s.all(...bind(parameters)) as unknown as unknown[][]).map(toRow)
        : (parameters: ReadonlyArray<unknown>) => s.all(...bind(parameters)) as unknown[],
      run: (parameters: ReadonlyArray<unknown>) => {
        const r = s.run(...bind(parameters));
        return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
      },
      iterate: toRow
        ? function* (parameters: ReadonlyArray<unknown>) {
            for (const row of s.iterate(...bind(parameters))) yield toRow(row as unknown as unknown[]);
          }
        : (parameters: ReadonlyArray<unknown>) => s.iterate(...bind(parameters)) as IterableIterator<unknown>,
    };
    // Counted before the statement runs: a failed one may have changed rows before it failed.
    if (changes.length > 0) {
      const { all, run, iterate } = wrapped;
      wrapped.all = (parameters) => (this.#ran(changes), all(parameters));
      wrapped.run = (parameters) => (this.#ran(changes), run(parameters));
      wrapped.iterate = (parameters) => (this.#ran(changes), iterate(parameters));
    }
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, wrapped);
    return wrapped;
  }
}

/**
 * A function turning a row read as an array into an object of the row's columns (a later column of the same
 * name wins, as in node:sqlite's own rows), or null when arrays are not worth it or not safe: no columns, a
 * node:sqlite without setReturnArrays, or a column named `__proto__`, which an object literal would take for the
 * prototype. The objects are ordinary ones, as pg's rows are (node:sqlite's own have no prototype, and a
 * literal without one is a slow dictionary object, which would cost the gain). The names are SQL's own,
 * quoted by JSON.stringify, so the generated source holds nothing but property names.
 */
function rowFactory(columns: readonly string[]): ((row: unknown[]) => unknown) | null {
  if (columns.length === 0 || columns.includes("__proto__") || typeof StatementSync.prototype.setReturnArrays !== "function") return null;
  const body = `return {${columns.map((name, i) => `${JSON.stringify(name)}: row[${i}]`).join(", ")}};`;
  return new Function("row", body) as (row: unknown[]) => unknown;
}

// A foreign key action that changes the child's rows when the parent's change.
const acts = (action: string) => action === "CASCADE" || action === "SET NULL" || action === "SET DEFAULT";

/**
 * What a statement may do to existing rows, as NodeSqliteDatabase.changesOf counts it: "u:<table>" for UPDATE,
 * REPLACE and an upsert's DO UPDATE, "d:<table>" for DELETE, "*" for a schema change. Read from the text,
 * erring towards more: a table named by mistake only costs a cache its rows (sqlite-row-cache.ts).
 */
export function tablesChangedBy(sql: string): string[] {
  const text = sql.toLowerCase();
  const out = new Set<string>();
  const name = String.raw`["\`]?(\w+)["\`]?`;
  for (const m of text.matchAll(new RegExp(String.raw`\bupdate\s+(?:or\s+\w+\s+)?${name}`, "g"))) out.add(`u:${m[1]}`);
  for (const m of text.matchAll(new RegExp(String.raw`\b(?:replace|insert\s+or\s+replace)\s+into\s+${name}`, "g"))) out.add(`u:${m[1]}`);
  if (/\bdo\s+update\b/.test(text)) for (const m of text.matchAll(new RegExp(String.raw`\binsert\s+into\s+${name}`, "g"))) out.add(`u:${m[1]}`);
  for (const m of text.matchAll(new RegExp(String.raw`\bdelete\s+from\s+${name}`, "g"))) out.add(`d:${m[1]}`);
  if (/\b(?:create|alter|drop)\s+(?:table|index|trigger|view)\b/.test(text) || /\bvacuum\b/.test(text)) out.add("*");
  return [...out];
}

function bind(parameters: ReadonlyArray<unknown>): SqlValue[] {
  return parameters.map((p) => {
    if (typeof p === "boolean") return p ? 1 : 0;
    if (p instanceof Date) return p.getTime();
    if (p === undefined) return null;
    return p as SqlValue;
  });
}
