import { isDeepStrictEqual } from "node:util";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { Cache } from "../ports/cache.ts";

/** How often cas() re-reads when the stored text changed but may still hold an equal value. */
const CAS_ATTEMPTS = 8;

/** Milliseconds of a set's TTL; undefined when none. Fedify passes a Temporal.Duration (its polyfill's). */
function ttlMsOf(options: KvStoreSetOptions | undefined): number | undefined {
  return options?.ttl === undefined ? undefined : options.ttl.total("millisecond");
}

/** A value as it reads back after a JSON round trip, so it compares equal to what get() returns. */
function normalise(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

function isKvKey(value: unknown): value is KvKey {
  return Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === "string");
}

/**
 * Fedify's key-value store (its caches of remote documents and keys, idempotence records, circuit-breaker
 * state) over Herd's Cache port, so it lives in Redis when Herd runs as several processes and in memory when
 * it runs as one. A key array is stored as JSON under `prefix`: JSON strings cannot end early, so the encoded
 * key of a prefix, without its closing bracket, starts exactly the keys that extend it.
 */
export class CacheKvStore implements KvStore {
  readonly #cache: Cache;
  readonly #prefix: string;

  constructor(cache: Cache, prefix = "fedify:") {
    this.#cache = cache;
    this.#prefix = prefix;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const raw = await this.#cache.get(this.#encode(key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const ttlMs = ttlMsOf(options);
    const text = JSON.stringify(value);
    // Already expired, or a value that serialises to nothing: either way a later get() sees no value.
    if (text === undefined || (ttlMs !== undefined && ttlMs <= 0)) await this.#cache.delete(this.#encode(key));
    else await this.#cache.set(this.#encode(key), text, ttlMs);
  }

  async delete(key: KvKey): Promise<void> {
    await this.#cache.delete(this.#encode(key));
  }

  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const encoded = this.#encode(key);
    const ttlMs = ttlMsOf(options);
    const text = JSON.stringify(newValue);
    const next = text === undefined || (ttlMs !== undefined && ttlMs <= 0) ? null : text;
    const expected = normalise(expectedValue);
    // Values compare as data (Fedify's MemoryKvStore does the same), but the Cache swaps on exact text: read the
    // text, compare its value, then swap on that text. A failed swap means someone wrote meanwhile: look again.
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const raw = await this.#cache.get(encoded);
      const current = raw === null ? undefined : JSON.parse(raw);
      if (!isDeepStrictEqual(current, expected)) return false;
      if (await this.#cache.compareAndSet(encoded, raw, next, next === null ? undefined : ttlMs)) return true;
    }
    return false;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const start = prefix === undefined ? `${this.#prefix}[` : this.#prefix + JSON.stringify(prefix).slice(0, -1);
    for await (const [encoded, raw] of this.#cache.scan(start)) {
      let key: unknown;
      try {
        key = JSON.parse(encoded.slice(this.#prefix.length));
      } catch {
        continue;
      }
      if (!isKvKey(key)) continue;
      if (prefix !== undefined && (key.length < prefix.length || !prefix.every((part, i) => key[i] === part))) continue;
      yield { key, value: JSON.parse(raw) };
    }
  }

  #encode(key: KvKey): string {
    return this.#prefix + JSON.stringify(key);
  }
}
