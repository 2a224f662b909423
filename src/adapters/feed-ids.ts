/** The largest id a feed can hold: ids are unsigned 64-bit, and 0 is reserved. */
export const MAX_FEED_ID = (1n << 64n) - 1n;

/** Rejects ids a feed cannot store, before anything is written. */
export function checkFeedId(id: bigint): void {
  if (typeof id !== "bigint" || id <= 0n || id > MAX_FEED_ID)
    throw new RangeError(`feed ids are positive 64-bit integers, got ${String(id)}`);
}

/** Distinct ids, newest (largest) first, at most `cap` of them. */
export function newestFirst(ids: readonly bigint[], cap: number): bigint[] {
  for (const id of ids) checkFeedId(id);
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return sorted.slice(0, cap);
}

/** Validates a feed cap: a positive integer. */
export function checkCap(cap: number): number {
  if (!Number.isSafeInteger(cap) || cap < 1) throw new RangeError(`feed cap must be a positive integer, got ${cap}`);
  return cap;
}
