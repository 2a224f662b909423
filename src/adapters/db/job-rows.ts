import { CompiledQuery, type Kysely } from "kysely";
import { isPostgres } from "./dialect.ts";
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
  const rows = jobs.map((job, i) => [
    ids[i],
    job.queue,
    job.name,
    JSON.stringify(job.payload ?? null),
    "waiting",
    0,
    Math.max(1, job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    Math.max(0, job.backoffMs ?? DEFAULT_BACKOFF_MS),
    now + Math.max(0, job.delayMs ?? 0),
    job.dedupKey ?? null,
    now,
  ]);
  // Rows without a dedup key cannot conflict (the unique index covers keyed rows only): many per statement.
  const plain = rows.filter((r) => r[DEDUP_KEY] === null);
  for (let i = 0; i < plain.length; i += ROWS_PER_INSERT) await insertRows(db, plain.slice(i, i + ROWS_PER_INSERT), false);
  // Keyed rows with ON CONFLICT on the partial index. A key twice among them keeps its first row, as a waiting
  // row with that key already stored would: each row is then tested against stored rows alone.
  const seen = new Set<unknown>();
  const keyed = rows.filter((r) => r[DEDUP_KEY] !== null && !seen.has(r[DEDUP_KEY]) && seen.add(r[DEDUP_KEY]));
  for (let i = 0; i < keyed.length; i += ROWS_PER_INSERT) await insertRows(db, keyed.slice(i, i + ROWS_PER_INSERT), true);
}

const JOB_COLUMNS = ["id", "queue", "name", "payload", "state", "attempts", "max_attempts", "backoff_ms", "run_at", "dedup_key", "created_at"];
const DEDUP_KEY = JOB_COLUMNS.indexOf("dedup_key");
// Every post and incoming activity enqueues here: the engine's SQL is written once per row count, not built and
// compiled by Kysely per call. The conflict target's predicate must be the index's own text, not a bound
// parameter, for the engine to match the partial index.
const insertTexts = new Map<string, string>();
function insertText(pg: boolean, count: number, keyed: boolean): string {
  const key = `${pg}:${count}:${keyed}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const width = JOB_COLUMNS.length;
    const values = Array.from({ length: count }, (_, r) => `(${JOB_COLUMNS.map((_, c) => (pg ? `$${r * width + c + 1}` : "?")).join(", ")})`);
    text = `insert into jobs (${JOB_COLUMNS.join(", ")}) values ${values.join(", ")}${keyed ? " on conflict (dedup_key) where state = 'waiting' do nothing" : ""}`;
    if (insertTexts.size >= 100) insertTexts.clear();
    insertTexts.set(key, text);
  }
  return text;
}

async function insertRows(db: Kysely<Tables>, rows: readonly unknown[][], keyed: boolean): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(insertText(isPostgres(db), rows.length, keyed), rows.flat()));
}
