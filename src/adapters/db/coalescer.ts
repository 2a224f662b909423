/** A caller waiting for its part of a coalesced statement. */
export interface Waiting<Q, R> {
  readonly query: Q;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * What WriteCoalescer and ReadCoalescer share, as a database's group commit works: a statement asked for while
 * none is in flight starts at once; those asked for meanwhile wait for it and then go together, as many as add
 * up to `maxSize` (or one of any size). An idle process pays nothing more, a busy one one round trip for many
 * (on PostgreSQL a statement costs the process more in its socket write and wake-ups than in building it).
 *
 * Hand-written: DataLoader, the usual batcher, gathers what one tick asks for, and concurrent jobs and requests
 * seldom ask in the same tick; what they share is the time a statement is on its way.
 */
export abstract class Coalescer<Q, R> {
  readonly #sizeOf: (query: Q) => number;
  readonly #maxSize: number;
  #waiting: Waiting<Q, R>[] = [];
  #busy = false;

  constructor(sizeOf: (query: Q) => number, maxSize: number) {
    this.#sizeOf = sizeOf;
    this.#maxSize = maxSize;
  }

  /** Runs one batch and settles each of its callers' promises; must not throw. */
  protected abstract settle(batch: readonly Waiting<Q, R>[]): Promise<void>;

  /** `query`'s result, from a statement of its own or one shared with others asked for meanwhile. */
  protected submit(query: Q): Promise<R> {
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
        await this.settle(this.#waiting.splice(0, take));
      }
    } finally {
      this.#busy = false;
    }
  }
}
