import type { SearchIndex, StatusSearchQuery } from "../../../ports/search.ts";
import { WriteCoalescer } from "../write-coalescer.ts";

/** One change of the search index: a status's entry written (its text) or removed (null). */
export interface SearchEntryWrite {
  readonly statusId: bigint;
  readonly text: string | null;
}

/**
 * What a batch of changes leaves, in the order asked: for a status changed more than once, only its last change
 * counts (one statement cannot write a row twice, and the last change is the one its caller saw last).
 */
export function latestEntries(items: readonly SearchEntryWrite[]): { indexed: { statusId: bigint; text: string }[]; removed: bigint[] } {
  const last = new Map<bigint, string | null>();
  for (const item of items) {
    last.delete(item.statusId);
    last.set(item.statusId, item.text);
  }
  const indexed: { statusId: bigint; text: string }[] = [];
  const removed: bigint[] = [];
  for (const [statusId, text] of last) {
    if (text === null) removed.push(statusId);
    else indexed.push({ statusId, text });
  }
  return { indexed, removed };
}

/**
 * A SearchIndex whose entry writes coalesce: every incoming or posted status writes its entry, and those written
 * at the same moment share a statement (on SQLite, one commit of the write-ahead log too). Each engine writes the
 * batch's last changes in its own SQL.
 */
export abstract class CoalescedSearchIndex implements SearchIndex {
  readonly #writes = new WriteCoalescer<SearchEntryWrite>((items) => {
    const { indexed, removed } = latestEntries(items);
    return this.writeEntries(indexed, removed);
  }, 500);

  index(statusId: bigint, text: string): Promise<void> {
    return this.#writes.write([{ statusId, text }]);
  }

  remove(statusId: bigint): Promise<void> {
    return this.#writes.write([{ statusId, text: null }]);
  }

  /** Writes these entries and removes these, each status at most once among them. */
  protected abstract writeEntries(indexed: readonly { statusId: bigint; text: string }[], removed: readonly bigint[]): Promise<void>;

  abstract query(query: StatusSearchQuery): Promise<bigint[]>;
}
