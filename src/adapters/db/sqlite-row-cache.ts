import type { NodeSqliteDatabase } from "./sqlite-driver.ts";

/**
 * Rows of one table by id, kept in memory for the embedded database, where every home page reads the same
 * recent statuses (a third of what SQLite does for a page). The rows are kept only while nothing can have
 * changed them: each read first asks the connection whether it ran a statement that may have changed or
 * removed rows of the table (NodeSqliteDatabase.changesOf, foreign keys included), and SQLite whether another
 * connection, such as the admin CLI, committed anything (data_version); either forgets every row. New rows
 * need no forgetting: they are not kept until read.
 *
 * Only reads outside a transaction come here. The one connection runs a transaction's statements before any
 * other's (Kysely's mutex), and a change inside one is counted when it runs, so a read after it, committed or
 * rolled back, finds nothing kept and reads the table again.
 */
export class SqliteRowCache<V> {
  readonly #db: NodeSqliteDatabase;
  readonly #table: string;
  readonly #max: number;
  #rows = new Map<bigint, V>();
  #changes = -1;
  #dataVersion = -1;
  // Bumped each time every row is forgotten: a read keeps what it loaded only if none was meanwhile.
  #generation = 0;

  /** At most `max` rows are kept; then all are forgotten and kept again as they are read. */
  constructor(db: NodeSqliteDatabase, table: string, max: number) {
    this.#db = db;
    this.#table = table;
    this.#max = max;
  }

  /**
   * The rows of `ids` that exist, kept ones first and then those `load` reads (the ids not kept). What `load`
   * returns is kept only if nothing changed the table on this connection while it was read, and no other read
   * forgot everything meanwhile; a commit of another connection meanwhile is found by the next read, which asks
   * data_version first. Each id is answered once, as by the query.
   */
  async read(ids: readonly bigint[], load: (missing: readonly bigint[]) => Promise<V[]>, idOf: (row: V) => bigint): Promise<V[]> {
    const changes = this.#db.changesOf(this.#table);
    const dataVersion = this.#db.dataVersion();
    if (changes !== this.#changes || dataVersion !== this.#dataVersion) {
      this.#rows.clear();
      this.#generation++;
      this.#changes = changes;
      this.#dataVersion = dataVersion;
    }
    const generation = this.#generation;
    const out: V[] = [];
    const missing: bigint[] = [];
    for (const id of ids.length > 1 ? new Set(ids) : ids) {
      const row = this.#rows.get(id);
      if (row === undefined) missing.push(id);
      else out.push(row);
    }
    if (missing.length === 0) return out;
    const rows = await load(missing);
    // Read in a later turn: a change may have run before them on the connection, after the check above.
    const keep = this.#generation === generation && this.#db.changesOf(this.#table) === changes;
    for (const row of rows) {
      out.push(row);
      if (!keep) continue;
      if (this.#rows.size >= this.#max) this.#rows.clear();
      this.#rows.set(idOf(row), row);
    }
    return out;
  }
}
