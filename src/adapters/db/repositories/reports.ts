import type { Kysely, Selectable } from "kysely";
import type { NewReport, ReportRecord, ReportsRepository } from "../../../ports/repositories/reports.ts";
import type { ReportsTable, Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum } from "./convert.ts";

function parseIds(json: string): bigint[] {
  try {
    const ids = JSON.parse(json);
    return Array.isArray(ids) ? ids.map((x) => BigInt(x)) : [];
  } catch {
    return [];
  }
}

function toReport(r: Selectable<ReportsTable>): ReportRecord {
  return {
    id: toId(r.id), accountId: toIdOrNull(r.account_id), targetAccountId: toId(r.target_account_id), statusIds: parseIds(r.status_ids),
    comment: r.comment, uri: r.uri, forwarded: toBool(r.forwarded), createdAt: toNum(r.created_at),
  };
}

export class KyselyReportsRepository implements ReportsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(r: NewReport): Promise<boolean> {
    const result = await this.#db
      .insertInto("reports")
      .values({
        id: r.id, account_id: r.accountId, target_account_id: r.targetAccountId, status_ids: JSON.stringify(r.statusIds.map(String)),
        comment: r.comment, uri: r.uri, forwarded: r.forwarded ?? false, created_at: r.createdAt,
      })
      .onConflict((oc) => oc.column("uri").where("uri", "is not", null).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async findByUri(uri: string): Promise<ReportRecord | null> {
    const row = await this.#db.selectFrom("reports").selectAll().where("uri", "=", uri).executeTakeFirst();
    return row ? toReport(row) : null;
  }

  async listByTarget(targetAccountId: bigint, limit: number): Promise<ReportRecord[]> {
    const rows = await this.#db.selectFrom("reports").selectAll().where("target_account_id", "=", targetAccountId).orderBy("id", "desc").limit(limit).execute();
    return rows.map(toReport);
  }
}
