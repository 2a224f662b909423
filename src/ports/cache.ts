/** One value for Cache.setMany; `ttlMs` omitted means no expiry. */
export interface CacheEntry {
  readonly key: string;
  readonly value: string;
  readonly ttlMs?: number;
}

/**
 * Short-lived shared state: caches, rate-limit counters, idempotency keys, Fedify's key-value data.
 * Everything here may vanish (eviction, a flushed Redis); callers must be able to recompute it.
 * Values are strings; callers serialise.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** Stores a value; `ttlMs` omitted means no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Stores each value as `set` does (`ttlMs` each its own): one round trip where `set` costs one per key. */
  setMany(entries: readonly CacheEntry[]): Promise<void>;
  /** Stores only when the key is absent; true when it stored. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Atomically adds `by` and returns the new value; when the key is created by this call it expires after
   * `ttlMs` (a fixed window for rate limits: later increments do not extend it).
   */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  /** Milliseconds until the key expires; null when it is absent or never expires. */
  ttl(key: string): Promise<number | null>;
  /**
   * Atomically replaces the value when it equals `expected` (`null` = the key is absent); true when it did.
   * `next` null deletes the key.
   */
  compareAndSet(key: string, expected: string | null, next: string | null, ttlMs?: number): Promise<boolean>;
  /** Keys that start with `prefix` with their values, in no particular order (for Fedify's KvStore.list). */
  scan(prefix: string): AsyncIterable<[key: string, value: string]>;
  close(): Promise<void>;
}
