import { Coalescer, type Waiting } from "./coalescer.ts";

/**
 * Coalesces concurrent writes of one kind into one statement (coalescer.ts): those asked for while one is on its
 * way go together once it is done.
 *
 * Each caller's promise settles with its own items' fate. When a combined write fails, each caller's items are
 * written again on their own, so one bad item cannot fail the others, and an error reaches the caller it is about.
 */
export class WriteCoalescer<T> extends Coalescer<readonly T[], void> {
  readonly #write: (items: readonly T[]) => Promise<void>;

  /** `write` writes any number of items up to `maxItems` (one caller's items may exceed it) in one statement. */
  constructor(write: (items: readonly T[]) => Promise<void>, maxItems: number) {
    super((items) => items.length, maxItems);
    this.#write = write;
  }

  /** Writes `items`, alone or with others' asked for at the same time; resolves once they are written. */
  write(items: readonly T[]): Promise<void> {
    return this.submit(items);
  }

  protected async settle(batch: readonly Waiting<readonly T[], void>[]): Promise<void> {
    try {
      await this.#write(batch.length === 1 ? batch[0].query : batch.flatMap((b) => b.query));
      for (const b of batch) b.resolve();
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else
        for (const b of batch) {
          try {
            await this.#write(b.query);
            b.resolve();
          } catch (own) {
            b.reject(own);
          }
        }
    }
  }
}
