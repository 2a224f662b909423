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
