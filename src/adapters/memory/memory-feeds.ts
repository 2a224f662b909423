import type { Feeds, IdRange } from "../../ports/feeds.ts";
import { checkCap, checkFeedId, newestFirst } from "../feed-ids.ts";

/** Options for {@link MemoryFeeds}. */
export interface MemoryFeedsOptions {
  /** The most ids one feed keeps. */
  readonly cap?: number;
  /** The most feeds kept; beyond it the least recently read or rebuilt feed is dropped (rebuilt when next read). */
  readonly maxFeeds?: number;
}

/** Index of the first element not greater than `id` in a newest-first (descending) array. */
function firstAtOrBelow(feed: BigUint64Array, id: bigint): number {
  let low = 0;
  let high = feed.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (feed[mid] > id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Home and list feeds in process memory, for the single-process instance. Each feed is a descending
 * BigUint64Array (8 bytes an id, 64-bit exact), so a full feed of 800 costs 6.4 KB. Pushes do not count as
 * use: a feed nobody reads should be the first to go, however many accounts its owner follows.
 */
export class MemoryFeeds implements Feeds {
  readonly cap: number;
  readonly #maxFeeds: number;
  /** Map order is recency order: the first key is the least recently used feed. */
  readonly #feeds = new Map<string, BigUint64Array>();

  constructor(options: MemoryFeedsOptions = {}) {
    this.cap = checkCap(options.cap ?? 800);
    this.#maxFeeds = options.maxFeeds ?? 2_000;
    if (!Number.isSafeInteger(this.#maxFeeds) || this.#maxFeeds < 1)
      throw new RangeError(`maxFeeds must be a positive integer, got ${this.#maxFeeds}`);
  }

  /** How many feeds are held. */
  get size(): number {
    return this.#feeds.size;
  }

  async push(feedKeys: readonly string[], statusId: bigint): Promise<string[]> {
    checkFeedId(statusId);
    const missing: string[] = [];
    for (const key of feedKeys) {
      const feed = this.#feeds.get(key);
      if (!feed) {
        missing.push(key);
        continue;
      }
      const at = firstAtOrBelow(feed, statusId);
      if (feed[at] === statusId || at >= this.cap) continue;
      const next = new BigUint64Array(Math.min(feed.length + 1, this.cap));
      next.set(feed.subarray(0, at));
      next[at] = statusId;
      next.set(feed.subarray(at, next.length - 1), at + 1);
      // set() on an existing key keeps its place in the recency order.
      this.#feeds.set(key, next);
    }
    return missing;
  }

  async page(feedKey: string, range: IdRange, limit: number): Promise<bigint[] | null> {
    const feed = this.#feeds.get(feedKey);
    if (!feed) return null;
    this.#touch(feedKey, feed);
    const count = Math.max(0, Math.floor(limit));
    const start = range.maxId === undefined ? 0 : firstAtOrBelow(feed, range.maxId - 1n);
    const end = range.minId === undefined ? feed.length : firstAtOrBelow(feed, range.minId);
    if (start >= end || count === 0) return [];
    const slice = range.fromOldest
      ? feed.subarray(Math.max(start, end - count), end)
      : feed.subarray(start, Math.min(end, start + count));
    return Array.from(slice);
  }

  async replace(feedKey: string, ids: readonly bigint[]): Promise<void> {
    const feed = BigUint64Array.from(newestFirst(ids, this.cap));
    this.#touch(feedKey, feed);
    while (this.#feeds.size > this.#maxFeeds) {
      const oldest = this.#feeds.keys().next();
      if (oldest.done) break;
      this.#feeds.delete(oldest.value);
    }
  }

  async remove(feedKeys: readonly string[], statusId: bigint): Promise<void> {
    checkFeedId(statusId);
    for (const key of feedKeys) {
      const feed = this.#feeds.get(key);
      if (!feed) continue;
      const at = firstAtOrBelow(feed, statusId);
      if (feed[at] !== statusId) continue;
      const next = new BigUint64Array(feed.length - 1);
      next.set(feed.subarray(0, at));
      next.set(feed.subarray(at + 1), at);
      this.#feeds.set(key, next);
    }
  }

  async drop(feedKey: string): Promise<void> {
    this.#feeds.delete(feedKey);
  }

  async close(): Promise<void> {
    this.#feeds.clear();
  }

  #touch(key: string, feed: BigUint64Array): void {
    this.#feeds.delete(key);
    this.#feeds.set(key, feed);
  }
}
