import { sql, type Kysely } from "kysely";
import type { InstanceCounts, InstanceRepository, RuleRecord, SettingRecord, WeekActivity } from "../../../ports/repositories/instance.ts";
import type { Tables } from "../schema.ts";
import { toId, toNum } from "./convert.ts";

const WEEK_MS = 7 * 86_400_000;

export class KyselyInstanceRepository implements InstanceRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async settings(): Promise<Map<string, SettingRecord>> {
    const rows = await this.#db.selectFrom("instance_settings").select(["key", "value", "updated_at"]).execute();
    return new Map(rows.map((r) => [r.key, { value: r.value, updatedAt: toNum(r.updated_at) }]));
  }

  async setSetting(key: string, value: string | null, now: number): Promise<void> {
    if (value === null) {
      await this.#db.deleteFrom("instance_settings").where("key", "=", key).execute();
      return;
    }
    await this.#db
      .insertInto("instance_settings")
      .values({ key, value, updated_at: now })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  async listRules(): Promise<RuleRecord[]> {
    const rows = await this.#db.selectFrom("instance_rules").selectAll().orderBy("id").execute();
    return rows.map((r) => ({ id: toId(r.id), text: r.text, hint: r.hint, createdAt: toNum(r.created_at) }));
  }

  async addRule(rule: RuleRecord): Promise<void> {
    await this.#db.insertInto("instance_rules").values({ id: rule.id, text: rule.text, hint: rule.hint, created_at: rule.createdAt }).execute();
  }

  async removeRule(id: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("instance_rules").where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Local accounts whose user is confirmed, approved, enabled and not suspended (Mastodon's user_count). */
  #publishedLocal() {
    return this.#db
      .selectFrom("accounts as a")
      .innerJoin("users as u", "u.account_id", "a.id")
      .where("a.domain", "is", null)
      .where("a.suspended_at", "is", null)
      .where("u.confirmed_at", "is not", null)
      .where("u.approved", "=", true)
      .where("u.disabled", "=", false);
  }

  async counts(activeSince: number): Promise<InstanceCounts> {
    const since = BigInt(activeSince);
    const [users, statuses, domains, active] = await Promise.all([
      this.#publishedLocal().select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow(),
      this.#db
        .selectFrom("statuses as s")
        .innerJoin("accounts as a", "a.id", "s.account_id")
        .where("a.domain", "is", null)
        .where("s.deleted_at", "is", null)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow(),
      this.#db.selectFrom("accounts").where("domain", "is not", null).select(sql<number>`count(distinct domain)`.as("n")).executeTakeFirstOrThrow(),
      this.#publishedLocal()
        .where((eb) => eb.or([eb("u.last_sign_in_at", ">=", since), eb("a.last_status_at", ">=", since)]))
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow(),
    ]);
    return { users: Number(users.n), statuses: Number(statuses.n), domains: Number(domains.n), activeUsers: Number(active.n) };
  }

  async firstStaffAccount(): Promise<bigint | null> {
    for (const role of ["owner", "admin"]) {
      const row = await this.#db
        .selectFrom("users")
        .select("account_id")
        .where("role", "=", role)
        .where("disabled", "=", false)
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      if (row) return toId(row.account_id);
    }
    return null;
  }

  async peers(): Promise<string[]> {
    const rows = await this.#db.selectFrom("accounts").select("domain").distinct().where("domain", "is not", null).orderBy("domain").execute();
    return rows.map((r) => r.domain!);
  }

  async weeklyActivity(weekStarts: readonly number[]): Promise<WeekActivity[]> {
    if (weekStarts.length === 0) return [];
    const from = weekStarts[0];
    const to = weekStarts[weekStarts.length - 1] + WEEK_MS;
    // Bigint parameters keep the division integral on SQLite (a JS number binds as a REAL there).
    const bucket = (column: string) => sql<number>`(${sql.ref(column)} - ${BigInt(from)}) / ${BigInt(WEEK_MS)}`;
    const db = this.#db;
    // Integer division of bigints buckets each row into its week on both engines.
    const [statuses, logins, registrations] = await Promise.all([
      db
        .selectFrom("statuses as s")
        .innerJoin("accounts as a", "a.id", "s.account_id")
        .where("a.domain", "is", null)
        .where("s.deleted_at", "is", null)
        .where("s.created_at", ">=", BigInt(from))
        .where("s.created_at", "<", BigInt(to))
        .select([bucket("s.created_at").as("w"), (eb) => eb.fn.countAll().as("n")])
        .groupBy(sql`1`)
        .execute(),
      db
        .selectFrom("users")
        .where("last_sign_in_at", ">=", BigInt(from))
        .where("last_sign_in_at", "<", BigInt(to))
        .select([bucket("last_sign_in_at").as("w"), (eb) => eb.fn.countAll().as("n")])
        .groupBy(sql`1`)
        .execute(),
      db
        .selectFrom("users")
        .where("created_at", ">=", BigInt(from))
        .where("created_at", "<", BigInt(to))
        .select([bucket("created_at").as("w"), (eb) => eb.fn.countAll().as("n")])
        .groupBy(sql`1`)
        .execute(),
    ]);
    const byWeek = (rows: { w: unknown; n: unknown }[]) => new Map(rows.map((r) => [Math.floor(Number(r.w)), Number(r.n)]));
    const s = byWeek(statuses);
    const l = byWeek(logins);
    const r = byWeek(registrations);
    return weekStarts.map((weekStart) => {
      const i = Math.round((weekStart - from) / WEEK_MS);
      return { weekStart, statuses: s.get(i) ?? 0, logins: l.get(i) ?? 0, registrations: r.get(i) ?? 0 };
    });
  }
}
