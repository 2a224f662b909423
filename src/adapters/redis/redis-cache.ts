import type { Redis } from "ioredis";
import type { Cache, CacheEntry } from "../../ports/cache.ts";
import { escapeGlob, toPx } from "./redis-keys.ts";
import { execAll } from "./redis-pipeline.ts";
import { RedisScript } from "./redis-script.ts";

// EXISTS before INCRBY tells whether this call created the key, so only the creator sets the window.
const incrementScript = new RedisScript(
  "herdCacheIncrement",
  `local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`,
);

// ARGV: hasExpected ("1"/"0"), expected, hasNext, next, px ("" = no expiry).
const compareAndSetScript = new RedisScript(
  "herdCacheCompareAndSet",
  `local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '0' then
  redis.call('DEL', KEYS[1])
elseif ARGV[5] == '' then
  redis.call('SET', KEYS[1], ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
end
return 1`,
);

/** Reads are combined into one MGET up to this many keys, so a reply stays bounded; one read asking for more goes alone. */
const MGET_MAX_KEYS = 1_000;

interface PendingRead {
  readonly keys: readonly string[];
  readonly resolve: (values: (string | null)[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The Cache port on Redis strings. Every key is stored under `prefix`, so several instances (or parallel tests)
 * can share one server. The connection belongs to the caller: close() leaves it open.
 *
 * Reads issued in the same turn of the event loop go out as one MGET: a page of statuses reads its authors'
 * epochs, the emoji table's version and the viewer's filters at about the same moment, and many requests are
 * served at once, so one round trip replaces several. On a small machine each round trip costs as much CPU as
 * the read (the write wakes Redis, the reply wakes us). ioredis's own auto-pipelining would batch every
 * command, but it has crashed processes on scripts (uncaught "results[i] is not iterable"), so only plain
 * reads are batched, here. Deferring a read to the end of the turn can only make it see later writes, never
 * earlier ones.
 */
export class RedisCache implements Cache {
  readonly #redis: Redis;
  readonly #prefix: string;
  #pending: PendingRead[] = [];

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    incrementScript.register(redis);
    compareAndSetScript.register(redis);
  }

  async get(key: string): Promise<string | null> {
    return (await this.#read([key]))[0];
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.#read(keys);
  }

  #read(keys: readonly string[]): Promise<(string | null)[]> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#flush());
      this.#pending.push({ keys, resolve, reject });
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    let chunk: PendingRead[] = [];
    let size = 0;
    for (const read of batch) {
      if (size > 0 && size + read.keys.length > MGET_MAX_KEYS) {
        this.#send(chunk);
        chunk = [];
        size = 0;
      }
      chunk.push(read);
      size += read.keys.length;
    }
    if (chunk.length > 0) this.#send(chunk);
  }

  #send(reads: readonly PendingRead[]): void {
    const keys = reads.flatMap((r) => r.keys.map((k) => this.#prefix + k));
    this.#redis.mget(keys).then(
      (values) => {
        let at = 0;
        for (const r of reads) {
          r.resolve(values.slice(at, at + r.keys.length));
          at += r.keys.length;
        }
      },
      (err: unknown) => {
        for (const r of reads) r.reject(err);
      },
    );
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.#redis.set(this.#prefix + key, value);
    else await this.#redis.set(this.#prefix + key, value, "PX", toPx(ttlMs));
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length === 1) return this.set(entries[0].key, entries[0].value, entries[0].ttlMs);
    // A pipeline: one write and one wait for all of them (MSET takes no expiry).
    const pipeline = this.#redis.pipeline();
    for (const { key, value, ttlMs } of entries) {
      if (ttlMs === undefined) pipeline.set(this.#prefix + key, value);
      else pipeline.set(this.#prefix + key, value, "PX", toPx(ttlMs));
    }
    await execAll(pipeline);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const reply =
      ttlMs === undefined
        ? await this.#redis.set(this.#prefix + key, value, "NX")
        : await this.#redis.set(this.#prefix + key, value, "PX", toPx(ttlMs), "NX");
    return reply === "OK";
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new RangeError(`increment takes an integer, got ${by}`);
    const reply = await incrementScript.run(this.#redis, [this.#prefix + key], [by, toPx(ttlMs)]);
    return Number(reply);
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await this.#redis.pttl(this.#prefix + key);
    return ms < 0 ? null : ms;
  }

  async compareAndSet(key: string, expected: string | null, next: string | null, ttlMs?: number): Promise<boolean> {
    const px = next !== null && ttlMs !== undefined ? String(toPx(ttlMs)) : "";
    const reply = await compareAndSetScript.run(
      this.#redis,
      [this.#prefix + key],
      [expected === null ? "0" : "1", expected ?? "", next === null ? "0" : "1", next ?? "", px],
    );
    return Number(reply) === 1;
  }

  async *scan(prefix: string): AsyncIterable<[key: string, value: string]> {
    const match = `${escapeGlob(this.#prefix + prefix)}*`;
    // SCAN may return a key twice while the keyspace is being rehashed; callers expect each key once.
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [nextCursor, keys] = await this.#redis.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = nextCursor;
      const fresh = keys.filter((k) => !seen.has(k));
      if (fresh.length === 0) continue;
      for (const k of fresh) seen.add(k);
      const values = await this.#redis.mget(fresh);
      for (let i = 0; i < fresh.length; i++) {
        const value = values[i];
        // A key that expired or was deleted between SCAN and MGET is simply gone.
        if (value !== null) yield [fresh[i].slice(this.#prefix.length), value];
      }
    } while (cursor !== "0");
  }

  async close(): Promise<void> {
    // The connection is shared with other adapters; whoever created it quits it.
  }
}
