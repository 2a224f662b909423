import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DatabaseLeaseStore } from "../../src/adapters/db/database-lease.ts";
import { MemoryLeaseStore } from "../../src/adapters/memory/memory-lease.ts";
import { RedisLeaseStore } from "../../src/adapters/redis/redis-lease.ts";
import { databaseEngines, SKIP_REDIS } from "../support/backends.ts";
import { openTestRedis } from "../support/redis.ts";
import { leaseContract } from "./lease.contract.ts";

leaseContract("memory", async () => ({ leases: new MemoryLeaseStore(), close: async () => {} }));

leaseContract(
  "redis",
  async () => {
    const test = await openTestRedis();
    return {
      leases: new RedisLeaseStore(test.redis, test.prefix),
      peer: new RedisLeaseStore(test.connect(), test.prefix),
      close: () => test.close(),
    };
  },
  { skip: SKIP_REDIS },
);

for (const engine of databaseEngines) {
  leaseContract(
    `database (${engine.name})`,
    async () => {
      const { db, close } = await engine.open();
      return { leases: new DatabaseLeaseStore(db), close };
    },
    { skip: engine.skip },
  );
}

describe("MemoryLeaseStore with an injected clock", () => {
  it("expires a lease at exactly its TTL and purges it", async () => {
    let now = 1_000;
    const leases = new MemoryLeaseStore({ now: () => now });
    assert.equal(await leases.acquire("k", "a", 100), true);
    now = 1_099;
    assert.equal(await leases.acquire("k", "b", 100), false);
    now = 1_100;
    assert.equal(await leases.purgeExpired(), 1);
    assert.equal(await leases.acquire("k", "b", 100), true);
  });
});

for (const engine of databaseEngines) {
  describe(`DatabaseLeaseStore (${engine.name}) with an injected clock`, { skip: engine.skip }, () => {
    it("expires by the database's clock and purges only expired rows", async () => {
      let now = 1_000_000;
      const { db, close } = await engine.open({ now: () => now });
      try {
        const leases = new DatabaseLeaseStore(db);
        assert.equal(await leases.acquire("a", "x", 100), true);
        assert.equal(await leases.acquire("b", "x", 1_000), true);
        now += 99;
        assert.equal(await leases.acquire("a", "y", 100), false);
        now += 1;
        assert.equal(await leases.purgeExpired(), 1);
        assert.equal(await leases.acquire("a", "y", 100), true);
        const rows = await db.kysely.selectFrom("leases").select(["key", "owner"]).orderBy("key").execute();
        assert.deepEqual(rows.map((r) => ({ key: r.key, owner: r.owner })), [
          { key: "a", owner: "y" },
          { key: "b", owner: "x" },
        ]);
      } finally {
        await close();
      }
    });
  });
}
