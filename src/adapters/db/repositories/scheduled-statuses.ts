import type { Kysely } from "kysely";
import type {
  ScheduledStatusesQuery,
  ScheduledStatusesRepository,
  ScheduledStatusParams,
  ScheduledStatusRecord,
} from "../../../ports/repositories/scheduled-statuses.ts";
import type { Tables } from "../schema.ts";
import { toId, toNum } from "./convert.ts";

type Row = { id: bigint | string; account_id: bigint | string; scheduled_at: bigint | string; params: string; created_at: bigint | string };

function toScheduled(r: Row): ScheduledStatusRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    scheduledAt: toNum(r.scheduled_at),
    params: JSON.parse(r.params) as ScheduledStatusParams,
    createdAt: toNum(r.created_at),
  };
}

export class KyselyScheduledStatusesRepository implements ScheduledStatusesRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(input: { id: bigint; accountId: bigint; scheduledAt: number; params: ScheduledStatusParams; now: number }): Promise<void> {
    await this.#db
      .insertInto("scheduled_statuses")
      .values({ id: input.id, account_id: input.accountId, scheduled_at: input.scheduledAt, params: JSON.stringify(input.params), created_at: input.now })
      .execute();
  }

  async findById(id: bigint): Promise<ScheduledStatusRecord | null> {
    const row = await this.#db.selectFrom("scheduled_statuses").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toScheduled(row) : null;
  }

  async listByAccount(accountId: bigint, q: ScheduledStatusesQuery): Promise<ScheduledStatusRecord[]> {
    const ascending = q.minId !== undefined;
    let query = this.#db.selectFrom("scheduled_statuses").selectAll().where("account_id", "=", accountId);
    if (q.maxId !== undefined) query = query.where("id", "<", q.maxId);
    if (q.minId !== undefined) query = query.where("id", ">", q.minId);
    else if (q.sinceId !== undefined) query = query.where("id", ">", q.sinceId);
    const rows = (await query.orderBy("id", ascending ? "asc" : "desc").limit(q.limit).execute()).map(toScheduled);
    return ascending ? rows.reverse() : rows;
  }

  async countByAccount(accountId: bigint, between?: { from: number; to: number }): Promise<number> {
    let query = this.#db
      .selectFrom("scheduled_statuses")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("account_id", "=", accountId);
    if (between) query = query.where("scheduled_at", ">=", BigInt(between.from)).where("scheduled_at", "<", BigInt(between.to));
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  async reschedule(id: bigint, scheduledAt: number): Promise<boolean> {
    const r = await this.#db.updateTable("scheduled_statuses").set({ scheduled_at: scheduledAt }).where("id", "=", id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(id: bigint, dueBy?: number): Promise<boolean> {
    let query = this.#db.deleteFrom("scheduled_statuses").where("id", "=", id);
    if (dueBy !== undefined) query = query.where("scheduled_at", "<=", BigInt(dueBy));
    return Number((await query.executeTakeFirst()).numDeletedRows) > 0;
  }

  async due(now: number, limit: number): Promise<bigint[]> {
    const rows = await this.#db
      .selectFrom("scheduled_statuses")
      .select("id")
      .where("scheduled_at", "<=", BigInt(now))
      .orderBy("scheduled_at")
      .limit(limit)
      .execute();
    return rows.map((r) => toId(r.id));
  }
}
