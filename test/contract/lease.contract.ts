import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LeaseStore } from "../../src/ports/lease.ts";
import { sleep } from "../support/timing.ts";

/** One lease store for one test; `peer`, when the backend spans processes, is a second client of the same store. */
export interface LeaseFixture {
  readonly leases: LeaseStore;
  readonly peer?: LeaseStore;
  close(): Promise<void>;
}

/** The behaviour every LeaseStore adapter must have. Expiry runs on real time, with short TTLs. */
export function leaseContract(name: string, make: () => Promise<LeaseFixture>, options: { skip?: string | false } = {}) {
  describe(`LeaseStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    async function withLeases(fn: (fixture: LeaseFixture) => Promise<void>): Promise<void> {
      const fixture = await make();
      try {
        await fn(fixture);
      } finally {
        await fixture.close();
      }
    }

    it("gives a lease to one owner at a time; the holder may renew", () =>
      withLeases(async ({ leases }) => {
        assert.equal(await leases.acquire("scheduler:tick", "a", 5_000), true);
        assert.equal(await leases.acquire("scheduler:tick", "b", 5_000), false);
        assert.equal(await leases.acquire("scheduler:tick", "a", 5_000), true, "the holder renews");
        assert.equal(await leases.acquire("scheduler:other", "b", 5_000), true, "keys are independent");
      }));

    it("extends the lease when the holder renews it", () =>
      withLeases(async ({ leases }) => {
        assert.equal(await leases.acquire("k", "a", 300), true);
        await sleep(180);
        assert.equal(await leases.acquire("k", "a", 300), true);
        await sleep(180);
        assert.equal(await leases.acquire("k", "b", 300), false, "past the first TTL, still held by the renewal");
        await sleep(250);
        assert.equal(await leases.acquire("k", "b", 300), true, "the renewal expired too");
      }));

    it("lets another owner take an expired lease, and the old owner then loses it", () =>
      withLeases(async ({ leases }) => {
        assert.equal(await leases.acquire("k", "a", 80), true);
        await sleep(150);
        assert.equal(await leases.acquire("k", "b", 5_000), true);
        assert.equal(await leases.acquire("k", "a", 5_000), false);
      }));

    it("releases only for the holder", () =>
      withLeases(async ({ leases }) => {
        assert.equal(await leases.acquire("k", "a", 5_000), true);
        await leases.release("k", "b");
        assert.equal(await leases.acquire("k", "b", 5_000), false, "a stranger cannot release it");
        await leases.release("k", "a");
        assert.equal(await leases.acquire("k", "b", 5_000), true, "released by its holder, it is free");
        await leases.release("k", "a");
        assert.equal(await leases.acquire("k", "a", 5_000), false, "the old holder cannot release the new one's");
        await leases.release("never-held", "a");
      }));

    it("gives a free lease to exactly one of three concurrent claimants", () =>
      withLeases(async ({ leases, peer }) => {
        const stores = [leases, peer ?? leases, leases];
        for (let round = 0; round < 20; round++) {
          const key = `race:${round}`;
          const results = await Promise.all(stores.map((store, i) => store.acquire(key, `owner-${i}`, 5_000)));
          assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results}`);
        }
      }));

    it("gives an expired lease to exactly one of three concurrent claimants", () =>
      withLeases(async ({ leases, peer }) => {
        assert.equal(await leases.acquire("k", "old", 50), true);
        await sleep(120);
        const stores = [leases, peer ?? leases, leases];
        const results = await Promise.all(stores.map((store, i) => store.acquire("k", `owner-${i}`, 5_000)));
        assert.equal(results.filter(Boolean).length, 1, `${results}`);
      }));

    it("purges expired leases without touching live ones", () =>
      withLeases(async ({ leases }) => {
        assert.equal(await leases.acquire("short", "a", 50), true);
        assert.equal(await leases.acquire("long", "a", 5_000), true);
        await sleep(120);
        const purged = await leases.purgeExpired();
        assert.ok(purged === 0 || purged === 1, `purged ${purged}`);
        assert.equal(await leases.purgeExpired(), 0);
        assert.equal(await leases.acquire("long", "b", 5_000), false);
        assert.equal(await leases.acquire("short", "b", 5_000), true);
      }));

    it("refuses a TTL that is not positive", () =>
      withLeases(async ({ leases }) => {
        await assert.rejects(leases.acquire("k", "a", 0), RangeError);
        assert.equal(await leases.acquire("k", "b", 5_000), true);
      }));
  });
}
