import { sql, type Kysely } from "kysely";
import type { JobRequest } from "../../ports/job-queue.ts";
import type { Tables } from "./schema.ts";

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_MS = 1_000;
/** 11 columns a row: 500 rows stay well inside both engines' bound-parameter limits. */
export const ROWS_PER_INSERT = 500;

/**
 * Writes jobs as `waiting` rows. This is the outbox for every queue adapter: the database queue claims these
 * rows itself, the BullMQ adapter relays them to Redis. A waiting row with the same dedup key wins.
 */
export async function insertJobRows(
  db: Kysely<Tables>,
  jobs: readonly JobRequest[],
  ids: readonly bigint[],
  now: number,
): Promise<void> {
  if (jobs.length === 0) return;
  const rows = jobs.map((job, i) => ({
    id: ids[i],
    queue: job.queue,
    name: job.name,
    payload: JSON.stringify(job.payload ?? null),
    state: "waiting",
    attempts: 0,
    max_attempts: Math.max(1, job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    backoff_ms: Math.max(0, job.backoffMs ?? DEFAULT_BACKOFF_MS),
    run_at: now + Math.max(0, job.delayMs ?? 0),
    dedup_key: job.dedupKey ?? null,
    created_at: now,
  }));
  // Rows without a dedup key cannot conflict (the unique index covers keyed rows only): many per statement.
  const plain = rows.filter((r) => r.dedup_key === null);
  for (let i = 0; i < plain.length; i += ROWS_PER_INSERT) {
    await db.insertInto("jobs").values(plain.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  // Keyed rows with ON CONFLICT on the partial index. A key twice among them keeps its first row, as a waiting
  // row with that key already stored would: each row is then tested against stored rows alone.
  const seen = new Set<string>();
  const keyed = rows.filter((r) => r.dedup_key !== null && !seen.has(r.dedup_key) && seen.add(r.dedup_key));
  for (let i = 0; i < keyed.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto("jobs")
      .values(keyed.slice(i, i + ROWS_PER_INSERT))
      // The predicate must be the index's own text, not a bound parameter, for the engine to match the index.
      .onConflict((oc) => oc.column("dedup_key").where(sql<boolean>`state = 'waiting'`).doNothing())
      .execute();
  }
}
