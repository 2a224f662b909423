import { sql, type Kysely } from "kysely";
import type { DeadJob, QueueCounts, QueueName } from "../../ports/job-queue.ts";
import { ID_CHUNK, moveToWaiting } from "./job-claims.ts";
import { toNum } from "./repositories/convert.ts";
import type { Tables } from "./schema.ts";

/**
 * Counts the `jobs` rows of one queue by state; waiting rows whose time has not come are `delayed`. For the
 * BullMQ adapter these are the outbox rows not yet relayed.
 */
export async function countJobRows(db: Kysely<Tables>, queue: QueueName, now: number): Promise<QueueCounts> {
  const row = await db
    .selectFrom("jobs")
    .select([
      sql<number | string | bigint>`coalesce(sum(case when state = 'waiting' and run_at <= ${now} then 1 else 0 end), 0)`.as("waiting"),
      sql<number | string | bigint>`coalesce(sum(case when state = 'waiting' and run_at > ${now} then 1 else 0 end), 0)`.as("delayed"),
      sql<number | string | bigint>`coalesce(sum(case when state = 'active' then 1 else 0 end), 0)`.as("active"),
      sql<number | string | bigint>`coalesce(sum(case when state = 'dead' then 1 else 0 end), 0)`.as("dead"),
    ])
    .where("queue", "=", queue)
    .executeTakeFirstOrThrow();
  return { waiting: toNum(row.waiting), delayed: toNum(row.delayed), active: toNum(row.active), dead: toNum(row.dead) };
}

/** The most recently failed dead jobs of a queue. */
export async function listDeadRows(db: Kysely<Tables>, queue: QueueName, limit: number): Promise<DeadJob[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "name", "queue", "payload", "attempts", "last_error", "failed_at"])
    .where("state", "=", "dead")
    .where("queue", "=", queue)
    .orderBy("failed_at", "desc")
    .orderBy("id", "desc")
    .limit(Math.max(0, Math.floor(limit)))
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    name: r.name,
    queue: r.queue as QueueName,
    payload: JSON.parse(r.payload),
    attempts: toNum(r.attempts),
    error: r.last_error ?? "",
    failedAt: r.failed_at === null ? 0 : toNum(r.failed_at),
  }));
}

/**
 * Gives dead jobs a fresh set of attempts, due now. Jobs without a dedup key move in one statement; the others
 * one by one, since only one job per key may wait (a dead job whose key is already waiting merges into that one).
 */
export async function retryDeadRows(
  db: Kysely<Tables>,
  queue: QueueName,
  ids: readonly string[] | undefined,
  now: number,
): Promise<number> {
  let moved = 0;
  for (const chunk of idChunks(ids)) {
    const plain = await db
      .updateTable("jobs")
      .set({ state: "waiting", attempts: 0, run_at: now, failed_at: null, locked_by: null, locked_until: null })
      .where("state", "=", "dead")
      .where("queue", "=", queue)
      .where("dedup_key", "is", null)
      .$if(chunk !== null, (qb) => qb.where("id", "in", chunk!))
      .executeTakeFirst();
    moved += Number(plain.numUpdatedRows);
    const keyed = await db
      .selectFrom("jobs")
      .select("id")
      .where("state", "=", "dead")
      .where("queue", "=", queue)
      .where("dedup_key", "is not", null)
      .$if(chunk !== null, (qb) => qb.where("id", "in", chunk!))
      .orderBy("id")
      .execute();
    for (const { id } of keyed) {
      const outcome = await moveToWaiting(
        db,
        BigInt(id),
        (eb) => eb.and([eb("state", "=", "dead"), eb("queue", "=", queue)]),
        { attempts: 0, run_at: now, failed_at: null },
      );
      if (outcome !== "gone") moved++;
    }
  }
  return moved;
}

/** Deletes dead jobs of a queue (all of them when `ids` is omitted). */
export async function clearDeadRows(db: Kysely<Tables>, queue: QueueName, ids: readonly string[] | undefined): Promise<number> {
  let removed = 0;
  for (const chunk of idChunks(ids)) {
    const r = await db
      .deleteFrom("jobs")
      .where("state", "=", "dead")
      .where("queue", "=", queue)
      .$if(chunk !== null, (qb) => qb.where("id", "in", chunk!))
      .executeTakeFirst();
    removed += Number(r.numDeletedRows);
  }
  return removed;
}

/** `null` once for "every id"; otherwise the given ids (those that parse as integers) in bounded chunks. */
function idChunks(ids: readonly string[] | undefined): (bigint[] | null)[] {
  if (ids === undefined) return [null];
  const parsed = ids.filter((s) => /^\d+$/.test(s)).map((s) => BigInt(s));
  const chunks: bigint[][] = [];
  for (let i = 0; i < parsed.length; i += ID_CHUNK) chunks.push(parsed.slice(i, i + ID_CHUNK));
  return chunks;
}
