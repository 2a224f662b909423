import type { Redis } from "ioredis";
import type { LeaseStore } from "../../ports/lease.ts";
import { toPx } from "./redis-keys.ts";
import { RedisScript } from "./redis-script.ts";

// Free (absent: Redis expired it) or already ours: take it or extend it, in one step.
const acquireScript = new RedisScript(
  "herdLeaseAcquire",
  `local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`,
);

// Only the holder may delete: a holder whose lease expired and was taken must not free the new owner's.
const releaseScript = new RedisScript(
  "herdLeaseRelease",
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 0`,
);

/**
 * Leases as Redis keys under `prefix` whose value is the owner and whose expiry is the lease's; Redis's own
 * clock decides expiry, so processes with skewed clocks still agree. The connection belongs to the caller.
 */
export class RedisLeaseStore implements LeaseStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    acquireScript.register(redis);
    releaseScript.register(redis);
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const reply = await acquireScript.run(this.#redis, [this.#prefix + key], [owner, toPx(ttlMs)]);
    return Number(reply) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await releaseScript.run(this.#redis, [this.#prefix + key], [owner]);
  }

  async purgeExpired(): Promise<number> {
    // Redis deletes a lease key itself when its PX expiry passes; nothing is left to purge.
    return 0;
  }
}
