/**
 * Coalesces concurrent reads of one kind into one statement, as WriteCoalescer does for writes: a read asked for
 * while none is in flight starts at once; those asked for meanwhile wait for it and then go together. Every page
 * of statuses reads its statuses and then the viewer's standing with their authors; on PostgreSQL each statement
 * costs the process a socket write and a wake-up on either side, more than the rows, so a busy process pays one
 * for many pages, an idle one nothing more.
 *
 * Hand-written for the same reason as WriteCoalescer: DataLoader gathers what one tick asks for, and concurrent
 * requests seldom ask in the same tick. A read waiting here starts after the one in flight, so it sees the
 * database as it is then or later, never earlier, as a read of its own would.
 */
export class ReadCoalescer<Q, R> {
  readonly #run: (queries: readonly Q[]) => Promise<R[]>;
  readonly #sizeOf: (query: Q) => number;
  readonly #maxSize: number;
  #waiting: { readonly query: Q; readonly resolve: (result: R) => void; readonly reject: (error: unknown) => void }[] = [];
  #busy = false;

  /**
   * `run` answers any number of queries in one statement, one result per query in their order; a batch holds
   * queries whose sizes (`sizeOf`) add up to at most `maxSize`, or one query of any size.
   */
  constructor(run: (queries: readonly Q[]) => Promise<R[]>, sizeOf: (query: Q) => number, maxSize: number) {
    this.#run = run;
    this.#sizeOf = sizeOf;
    this.#maxSize = maxSize;
  }

  /** The answer to `query`, read alone or together with others asked for meanwhile. */
  read(query: Q): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ query, resolve, reject });
      if (!this.#busy) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#waiting.length > 0) {
        let size = 0;
        let take = 0;
        while (take < this.#waiting.length) {
          const next = this.#sizeOf(this.#waiting[take].query);
          if (take > 0 && size + next > this.#maxSize) break;
          size += next;
          take++;
        }
        const batch = this.#waiting.splice(0, take);
        try {
          const results = await this.#run(batch.map((b) => b.query));
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (error) {
          // A read fails for reasons of the statement or the connection, not of one caller's part: all learn it.
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.#busy = false;
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
