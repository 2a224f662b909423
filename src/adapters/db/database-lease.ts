import type { LeaseStore } from "../../ports/lease.ts";
import { checkTtl } from "../ttl.ts";
import type { KyselyDatabase } from "./kysely-database.ts";

/**
 * Leases in the `leases` table, for deployments without Redis (the scheduler on several processes sharing a
 * PostgreSQL database, or the embedded SQLite one). Acquisition is one upsert: the row is taken over only when
 * it has expired or is already ours, and RETURNING tells whether that happened. On PostgreSQL concurrent
 * upserts of one key serialise on the row, so exactly one claimant of a free lease wins. Expiry is judged by
 * each process's own clock (the database adapter's Clock), so the processes' clocks must agree (NTP).
 */
export class DatabaseLeaseStore implements LeaseStore {
  readonly #db: KyselyDatabase;

  constructor(db: KyselyDatabase) {
    this.#db = db;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const now = Math.floor(this.#db.clock.now());
    const row = await this.#db.kysely
      .insertInto("leases")
      .values({ key, owner, expires_at: Math.ceil(now + ttlMs) })
      .onConflict((oc) =>
        oc
          .column("key")
          .doUpdateSet((eb) => ({ owner: eb.ref("excluded.owner"), expires_at: eb.ref("excluded.expires_at") }))
          .where((eb) =>
            eb.or([eb("leases.expires_at", "<=", BigInt(now)), eb("leases.owner", "=", eb.ref("excluded.owner"))]),
          ),
      )
      .returning("owner")
      .executeTakeFirst();
    return row?.owner === owner;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#db.kysely.deleteFrom("leases").where("key", "=", key).where("owner", "=", owner).execute();
  }

  async purgeExpired(): Promise<number> {
    const now = BigInt(Math.floor(this.#db.clock.now()));
    const result = await this.#db.kysely.deleteFrom("leases").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
