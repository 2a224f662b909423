import { Coalescer, type Waiting } from "./coalescer.ts";

/**
 * Coalesces concurrent reads of one kind into one statement (coalescer.ts), as WriteCoalescer does writes. Every
 * page of statuses reads its statuses and then the viewer's standing with their authors; on PostgreSQL a busy
 * process then pays one round trip for many pages. A read waiting here starts after the one in flight, so it
 * sees the database as it is then or later, never earlier, as a read of its own would.
 */
export class ReadCoalescer<Q, R> extends Coalescer<Q, R> {
  readonly #run: (queries: readonly Q[]) => Promise<R[]>;

  /**
   * `run` answers any number of queries in one statement, one result per query in their order; a batch holds
   * queries whose sizes (`sizeOf`) add up to at most `maxSize`, or one query of any size.
   */
  constructor(run: (queries: readonly Q[]) => Promise<R[]>, sizeOf: (query: Q) => number, maxSize: number) {
    super(sizeOf, maxSize);
    this.#run = run;
  }

  /** The answer to `query`, read alone or together with others asked for meanwhile. */
  read(query: Q): Promise<R> {
    return this.submit(query);
  }

  protected async settle(batch: readonly Waiting<Q, R>[]): Promise<void> {
    try {
      const results = await this.#run(batch.map((b) => b.query));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (error) {
      // A read fails for reasons of the statement or the connection, not of one caller's part: all learn it.
      for (const b of batch) b.reject(error);
    }
  }
}

/** One read of rows by id per query, for a ReadCoalescer: the ids of all queries at once, split by `idOf`. */
export function rowsByIds<R>(read: (ids: readonly bigint[]) => Promise<R[]>, idOf: (row: R) => bigint) {
  return async (queries: readonly (readonly bigint[])[]): Promise<R[][]> => {
    if (queries.length === 1) return [await read(queries[0])];
    const rows = await read([...new Set(queries.flat())]);
    const byId = new Map(rows.map((r) => [idOf(r), r]));
    return queries.map((ids) => {
      const own: R[] = [];
      for (const id of new Set(ids)) {
        const row = byId.get(id);
        if (row !== undefined) own.push(row);
      }
      return own;
    });
  };
}
