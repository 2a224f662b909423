import { systemClock, type Clock } from "../../ports/clock.ts";
import type { LeaseStore } from "../../ports/lease.ts";
import { checkTtl } from "../ttl.ts";

interface Lease {
  readonly owner: string;
  readonly expiresAt: number;
}

/** Expired leases left behind by owners that never released are swept after this many acquisitions. */
const SWEEP_EVERY = 1_000;

/**
 * Leases in process memory, for the single-process instance where every claimant shares this object. A
 * lease is held from acquisition until `expiresAt` (exclusive).
 */
export class MemoryLeaseStore implements LeaseStore {
  readonly #leases = new Map<string, Lease>();
  readonly #clock: Clock;
  #acquisitions = 0;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const now = this.#clock.now();
    if (++this.#acquisitions % SWEEP_EVERY === 0) this.#sweep(now);
    const current = this.#leases.get(key);
    if (current && current.owner !== owner && current.expiresAt > now) return false;
    this.#leases.set(key, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.#leases.get(key)?.owner === owner) this.#leases.delete(key);
  }

  async purgeExpired(): Promise<number> {
    return this.#sweep(this.#clock.now());
  }

  #sweep(now: number): number {
    let removed = 0;
    for (const [key, lease] of this.#leases) {
      if (lease.expiresAt > now) continue;
      this.#leases.delete(key);
      removed++;
    }
    return removed;
  }
}
