/**
 * Coalesces concurrent writes of one kind into one statement: a write asked for while none is in flight starts
 * at once; those asked for meanwhile wait for it and then go together, as a database's group commit does. An idle
 * process pays nothing more, a busy one pays one round trip for many writes (on PostgreSQL a statement costs the
 * process more in its socket write than in building it).
 *
 * Hand-written: DataLoader, the usual batcher, gathers what one tick asks for, and concurrent jobs and requests
 * seldom ask in the same tick; what they share is the time a write is on its way.
 *
 * Each caller's promise settles with its own items' fate. When a combined write fails, each caller's items are
 * written again on their own, so one bad item cannot fail the others, and an error reaches the caller it is about.
 */
export class WriteCoalescer<T> {
  readonly #write: (items: readonly T[]) => Promise<void>;
  readonly #maxItems: number;
  #waiting: { readonly items: readonly T[]; readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  #busy = false;

  /** `write` writes any number of items up to `maxItems` (one caller's items may exceed it) in one statement. */
  constructor(write: (items: readonly T[]) => Promise<void>, maxItems: number) {
    this.#write = write;
    this.#maxItems = maxItems;
  }

  /** Writes `items`, alone or with others' asked for at the same time; resolves once they are written. */
  write(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ items, resolve, reject });
      if (!this.#busy) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#waiting.length > 0) {
        let count = 0;
        let take = 0;
        while (take < this.#waiting.length && (take === 0 || count + this.#waiting[take].items.length <= this.#maxItems)) {
          count += this.#waiting[take].items.length;
          take++;
        }
        const batch = this.#waiting.splice(0, take);
        try {
          await this.#write(batch.length === 1 ? batch[0].items : batch.flatMap((b) => b.items));
          for (const b of batch) b.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else
            for (const b of batch) {
              try {
                await this.#write(b.items);
                b.resolve();
              } catch (own) {
                b.reject(own);
              }
            }
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}
