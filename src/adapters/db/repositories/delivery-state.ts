import { sql, type Kysely } from "kysely";
import type { DeliveryDomainState, DeliveryStateRepository, GoneInbox } from "../../../ports/repositories/delivery-state.ts";
import type { DeliveryDomainsTable, Tables } from "../schema.ts";
import type { Selectable } from "kysely";
import { toNum, toNumOrNull } from "./convert.ts";

function toState(r: Selectable<DeliveryDomainsTable>): DeliveryDomainState {
  return {
    domain: r.domain,
    failureDays: toNum(r.failure_days),
    firstFailureAt: toNumOrNull(r.first_failure_at),
    lastFailureAt: toNumOrNull(r.last_failure_at),
    lastSuccessAt: toNumOrNull(r.last_success_at),
    unavailableSince: toNumOrNull(r.unavailable_since),
  };
}

export class KyselyDeliveryStateRepository implements DeliveryStateRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async find(domain: string): Promise<DeliveryDomainState | null> {
    const r = await this.#db.selectFrom("delivery_domains").selectAll().where("domain", "=", domain).executeTakeFirst();
    return r ? toState(r) : null;
  }

  async unavailableAmong(domains: readonly string[]): Promise<string[]> {
    if (domains.length === 0) return [];
    const found: string[] = [];
    // Chunks keep the IN list inside both engines' parameter limits.
    for (let i = 0; i < domains.length; i += 500) {
      const rows = await this.#db
        .selectFrom("delivery_domains")
        .select("domain")
        .where("domain", "in", domains.slice(i, i + 500))
        .where("unavailable_since", "is not", null)
        .execute();
      for (const r of rows) found.push(r.domain);
    }
    return found;
  }

  async recordFailure(domain: string, now: number, dayStart: number, thresholdDays: number): Promise<DeliveryDomainState> {
    // Every SET expression reads the row as it was, on both engines; the one statement keeps concurrent failures
    // on a new day from counting it twice.
    const days = sql<number>`case when delivery_domains.last_failure_at is null or delivery_domains.last_failure_at < ${dayStart} then delivery_domains.failure_days + 1 else delivery_domains.failure_days end`;
    const row = await this.#db
      .insertInto("delivery_domains")
      .values({
        domain,
        failure_days: 1,
        first_failure_at: now,
        last_failure_at: now,
        last_success_at: null,
        unavailable_since: thresholdDays <= 1 ? now : null,
      })
      .onConflict((oc) =>
        oc.column("domain").doUpdateSet({
          failure_days: days,
          first_failure_at: sql`coalesce(delivery_domains.first_failure_at, ${now})`,
          last_failure_at: sql`case when delivery_domains.last_failure_at is null or delivery_domains.last_failure_at < ${now} then ${now} else delivery_domains.last_failure_at end`,
          unavailable_since: sql`case when delivery_domains.unavailable_since is null and (${days}) >= ${thresholdDays} then ${now} else delivery_domains.unavailable_since end`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toState(row);
  }

  async recordSuccess(domain: string, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("delivery_domains")
      .set({ failure_days: 0, first_failure_at: null, unavailable_since: null, last_success_at: now })
      .where("domain", "=", domain)
      .where((eb) => eb.or([eb("failure_days", ">", 0), eb("unavailable_since", "is not", null)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows ?? 0n) > 0;
  }

  async listUnavailable(): Promise<DeliveryDomainState[]> {
    const rows = await this.#db
      .selectFrom("delivery_domains")
      .selectAll()
      .where("unavailable_since", "is not", null)
      .orderBy("unavailable_since", "asc")
      .orderBy("domain", "asc")
      .execute();
    return rows.map(toState);
  }

  async countUnavailable(): Promise<number> {
    const r = await this.#db
      .selectFrom("delivery_domains")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
      .where("unavailable_since", "is not", null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async recordGoneInbox(inbox: string, domain: string, now: number): Promise<void> {
    await this.#db
      .insertInto("delivery_gone_inboxes")
      .values({ inbox, domain, gone_at: now })
      .onConflict((oc) => oc.column("inbox").doNothing())
      .execute();
  }

  async listGoneInboxes(limit: number): Promise<GoneInbox[]> {
    const rows = await this.#db.selectFrom("delivery_gone_inboxes").selectAll().orderBy("gone_at", "asc").orderBy("inbox", "asc").limit(limit).execute();
    return rows.map((r) => ({ inbox: r.inbox, domain: r.domain, goneAt: toNum(r.gone_at) }));
  }

  async forgetGoneInboxes(inboxes: readonly string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < inboxes.length; i += 500) {
      const r = await this.#db.deleteFrom("delivery_gone_inboxes").where("inbox", "in", inboxes.slice(i, i + 500)).executeTakeFirst();
      n += Number(r.numDeletedRows ?? 0n);
    }
    return n;
  }
}
