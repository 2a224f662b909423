import type { Cache, CacheEntry } from "../../ports/cache.ts";
import { systemClock, type Clock } from "../../ports/clock.ts";
import { checkTtl } from "../ttl.ts";

/** Options for {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** The most keys kept; beyond it the least recently used key goes. */
  readonly maxEntries?: number;
  /**
   * Roughly the most memory the keys and values may take (UTF-16 string bytes plus a per-entry overhead);
   * beyond it the least recently used keys go. Fedify caches whole remote documents, so a count alone would
   * not bound memory.
   */
  readonly maxBytes?: number;
  /** How often expired keys that nobody reads are swept out. */
  readonly sweepIntervalMs?: number;
  readonly clock?: Clock;
}

interface Entry {
  readonly value: string;
  /** Milliseconds since the epoch; null never expires. */
  readonly expiresAt: number | null;
}

/** What a Map entry, its object and two string headers cost beyond the characters, give or take. */
const ENTRY_OVERHEAD_BYTES = 96;

function costOf(key: string, entry: Entry): number {
  return (key.length + entry.value.length) * 2 + ENTRY_OVERHEAD_BYTES;
}

function expiryOf(now: number, ttlMs: number | undefined): number | null {
  if (ttlMs === undefined) return null;
  return now + checkTtl(ttlMs);
}

/**
 * The Cache port in process memory, for the single-process instance. Bounded by entry count and by size
 * with LRU eviction (a value larger than the whole budget is not kept at all), and expired keys are dropped
 * when read and by a periodic sweep, so memory stays flat over days.
 * A Map keeps insertion order, so re-inserting on every read makes its first key the least recently used.
 */
export class MemoryCache implements Cache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  #bytes = 0;
  #timer: NodeJS.Timeout | null;

  constructor(options: MemoryCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1)
      throw new RangeError(`maxEntries must be a positive integer, got ${this.#maxEntries}`);
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    if (!(this.#maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${this.#maxBytes}`);
    this.#clock = options.clock ?? systemClock;
    this.#timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    // The sweep must never be what keeps a finished process alive.
    this.#timer.unref();
  }

  /** How many keys are held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Roughly how many bytes the held keys and values take. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Drops every expired key now. */
  sweep(): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt !== null && entry.expiresAt <= now) this.#remove(key);
  }

  async get(key: string): Promise<string | null> {
    return this.#read(key)?.value ?? null;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.#read(key)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#write(key, { value, expiresAt: expiryOf(this.#clock.now(), ttlMs) });
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    const now = this.#clock.now();
    for (const { key, value, ttlMs } of entries) this.#write(key, { value, expiresAt: expiryOf(now, ttlMs) });
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const expiresAt = expiryOf(this.#clock.now(), ttlMs);
    if (this.#read(key)) return false;
    this.#write(key, { value, expiresAt });
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#remove(key);
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new RangeError(`increment takes an integer, got ${by}`);
    const now = this.#clock.now();
    const expiresAt = expiryOf(now, ttlMs);
    const current = this.#read(key);
    if (!current) {
      this.#write(key, { value: String(by), expiresAt });
      return by;
    }
    if (!/^-?\d+$/.test(current.value)) throw new TypeError(`cache key ${key} does not hold an integer`);
    const next = Number(current.value) + by;
    // The window was fixed when the key was created; a later increment keeps it.
    this.#write(key, { value: String(next), expiresAt: current.expiresAt });
    return next;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.#entries.get(key);
    if (!entry || entry.expiresAt === null) return null;
    const left = entry.expiresAt - this.#clock.now();
    if (left <= 0) {
      this.#remove(key);
      return null;
    }
    return left;
  }

  async compareAndSet(key: string, expected: string | null, next: string | null, ttlMs?: number): Promise<boolean> {
    const expiresAt = next === null ? null : expiryOf(this.#clock.now(), ttlMs);
    const current = this.#read(key)?.value ?? null;
    if (current !== expected) return false;
    if (next === null) this.#remove(key);
    else this.#write(key, { value: next, expiresAt });
    return true;
  }

  async *scan(prefix: string): AsyncIterable<[key: string, value: string]> {
    // Collected first: reads during the iteration reorder the Map, which would yield a key twice.
    const now = this.#clock.now();
    const matches: [string, string][] = [];
    for (const [key, entry] of this.#entries) {
      const live = entry.expiresAt === null || entry.expiresAt > now;
      if (live && key.startsWith(prefix)) matches.push([key, entry.value]);
    }
    yield* matches;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** The live entry, marked as most recently used; an expired one is removed. */
  #read(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt !== null && entry.expiresAt <= this.#clock.now()) {
      this.#bytes -= costOf(key, entry);
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  #write(key: string, entry: Entry): void {
    this.#remove(key);
    this.#entries.set(key, entry);
    this.#bytes += costOf(key, entry);
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#remove(oldest.value);
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= costOf(key, entry);
  }
}
