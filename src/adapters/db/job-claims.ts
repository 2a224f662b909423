import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from "kysely";
import type { DatabaseEngine } from "../../ports/database.ts";
import { isPermanentFailure, retryDelayMs, type JobEnvelope, type QueueName } from "../../ports/job-queue.ts";
import { toBool, toNum } from "./repositories/convert.ts";
import type { Tables } from "./schema.ts";

/** `WHERE id IN (…)` lists are cut to this size: far below either engine's bound-parameter limit. */
export const ID_CHUNK = 500;

/** Runs past `max_attempts` that a job may lose to dead workers before the reaper buries it (a poison job). */
export const LOST_RUNS_ALLOWED = 3;

const MAX_ERROR_CHARS = 8_000;

/** A job this worker holds: what the handler sees plus what its completion needs. */
export interface ClaimedJob {
  readonly id: bigint;
  readonly envelope: JobEnvelope;
  readonly runAt: number;
  readonly backoffMs: number;
}

type Condition = (eb: ExpressionBuilder<Tables, "jobs">) => Expression<SqlBool>;

/**
 * Ids of up to `limit` due jobs of one queue. The only place the engines differ in claiming: PostgreSQL locks the
 * rows and skips those another process is claiming right now, so concurrent claimers never take the same job;
 * SQLite has a single writer, so the UPDATE around this subquery is atomic as it stands.
 */
function dueIds(db: Kysely<Tables>, engine: DatabaseEngine, queue: QueueName, now: number, limit: number) {
  const select = db
    .selectFrom("jobs")
    .select("id")
    .where("state", "=", "waiting")
    .where("queue", "=", queue)
    .where("run_at", "<=", BigInt(now))
    .orderBy("run_at")
    .limit(limit);
  return engine === "postgres" ? select.forUpdate().skipLocked() : select;
}

/**
 * Which of `queues` have a due job: one statement with an index probe per queue, so an idle worker's poll costs
 * one round trip however many queues it serves, and never scans a backlog.
 */
export async function queuesWithDueJobs(db: Kysely<Tables>, queues: readonly QueueName[], now: number): Promise<QueueName[]> {
  if (queues.length === 0) return [];
  const row = await db
    .selectNoFrom((eb) =>
      queues.map((queue, i) =>
        eb
          .exists(
            eb
              .selectFrom("jobs")
              .select(sql.lit(1).as("one"))
              .where("state", "=", "waiting")
              .where("queue", "=", queue)
              .where("run_at", "<=", BigInt(now))
              .limit(1),
          )
          .as(`q${i}`),
      ),
    )
    .executeTakeFirstOrThrow();
  const flags = row as Record<string, unknown>;
  return queues.filter((_, i) => toBool(flags[`q${i}`] as number | bigint | boolean));
}

/**
 * Marks due jobs active for `token`, up to `shares.get(queue)` of each queue, and returns them: one statement and
 * one round trip however many queues share the claim (a claim per queue was most of the queue's statements).
 */
export async function claimJobs(
  db: Kysely<Tables>,
  engine: DatabaseEngine,
  shares: ReadonlyMap<QueueName, number>,
  now: number,
  lockMs: number,
  token: string,
): Promise<ClaimedJob[]> {
  const parts = [...shares].filter(([, n]) => n > 0);
  if (parts.length === 0) return [];
  // Each queue's limit sits in its own derived table: a compound SELECT takes one LIMIT only, and PostgreSQL
  // allows FOR UPDATE inside a subquery in FROM but not on a UNION's arms.
  const ids =
    parts.length === 1
      ? dueIds(db, engine, parts[0][0], now, parts[0][1])
      : parts
          .map(([queue, n], i) => db.selectFrom(dueIds(db, engine, queue, now, n).as(`d${i}`)).select("id"))
          .reduce((all, part) => all.unionAll(part));
  const rows = await db
    .updateTable("jobs")
    .set({ state: "active", locked_by: token, locked_until: now + lockMs, attempts: sql<number>`attempts + 1` })
    .where("id", "in", ids)
    .returning(["id", "name", "queue", "payload", "attempts", "max_attempts", "backoff_ms", "run_at"])
    .execute();
  return rows.map((r) => {
    const id = BigInt(r.id);
    return {
      id,
      runAt: toNum(r.run_at),
      backoffMs: toNum(r.backoff_ms),
      envelope: {
        id: String(id),
        name: r.name,
        queue: r.queue as QueueName,
        payload: JSON.parse(r.payload),
        attempt: toNum(r.attempts),
        maxAttempts: toNum(r.max_attempts),
        // A claim counts every run, a lost one included (the reaper leaves the count as it was).
        redelivered: toNum(r.attempts) > 1,
      },
    };
  });
}

/** Deletes completed jobs that this worker still holds (a job reaped and re-claimed elsewhere is not ours). */
export async function deleteCompleted(db: Kysely<Tables>, ids: readonly bigint[], token: string): Promise<void> {
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    await db
      .deleteFrom("jobs")
      .where("id", "in", ids.slice(i, i + ID_CHUNK))
      .where("locked_by", "=", token)
      .execute();
  }
}

/** Pushes the locks of running jobs forward, so the reaper leaves them alone. */
export async function extendLocks(
  db: Kysely<Tables>,
  ids: readonly bigint[],
  token: string,
  lockedUntil: number,
): Promise<void> {
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    await db
      .updateTable("jobs")
      .set({ locked_until: lockedUntil })
      .where("id", "in", ids.slice(i, i + ID_CHUNK))
      .where("locked_by", "=", token)
      .where("state", "=", "active")
      .execute();
  }
}

/**
 * Records a failed run: back to waiting after the backoff while attempts remain, else dead. Returns what
 * happened; "lost" when the job is no longer ours (its lock expired and someone else took it).
 */
export async function recordFailure(
  db: Kysely<Tables>,
  job: ClaimedJob,
  token: string,
  error: unknown,
  now: number,
): Promise<"retry" | "dead" | "lost"> {
  const ours: Condition = (eb) =>
    eb.and([eb("state", "=", "active"), eb("locked_by", "=", token), eb("attempts", "=", job.envelope.attempt)]);
  const lastError = describeError(error);
  if (job.envelope.attempt < job.envelope.maxAttempts && !isPermanentFailure(error)) {
    const runAt = now + retryDelayMs(job.envelope.attempt, job.backoffMs);
    const moved = await moveToWaiting(db, job.id, ours, { run_at: runAt, last_error: lastError });
    return moved === "gone" ? "lost" : "retry";
  }
  const r = await db
    .updateTable("jobs")
    .set({ state: "dead", failed_at: now, last_error: lastError, locked_by: null, locked_until: null })
    .where("id", "=", job.id)
    .where(ours)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n ? "dead" : "lost";
}

/**
 * Returns jobs whose lock expired (their worker died, was killed or closed while they ran) to waiting, so they
 * run again; a job that has lost more runs than it may is buried instead, so a job that kills its worker every
 * time cannot loop forever. Returns how many it handled.
 */
export async function reapExpired(db: Kysely<Tables>, now: number, limit = ID_CHUNK): Promise<number> {
  const expired = await db
    .selectFrom("jobs")
    .select(["id", "attempts", "max_attempts"])
    .where("state", "=", "active")
    .where("locked_until", "<", BigInt(now))
    .limit(limit)
    .execute();
  for (const row of expired) {
    const id = BigInt(row.id);
    // Re-checked per row: a heartbeat may have extended the lock since the select.
    const stillExpired: Condition = (eb) => eb.and([eb("state", "=", "active"), eb("locked_until", "<", BigInt(now))]);
    if (toNum(row.attempts) >= toNum(row.max_attempts) + LOST_RUNS_ALLOWED) {
      await db
        .updateTable("jobs")
        .set({ state: "dead", failed_at: now, last_error: "worker lost while running, too many times", locked_by: null, locked_until: null })
        .where("id", "=", id)
        .where(stillExpired)
        .execute();
    } else {
      await moveToWaiting(db, id, stillExpired, { last_error: "lock expired: the worker stopped or stalled while running" });
    }
  }
  return expired.length;
}

/**
 * Moves one job to waiting, if `guard` still holds. At most one job per dedup key may wait: when another job
 * with this one's key is already waiting, that one will do the same work, so this one is deleted instead.
 */
export async function moveToWaiting(
  db: Kysely<Tables>,
  id: bigint,
  guard: Condition,
  set: { run_at?: number; last_error?: string | null; attempts?: number; failed_at?: null },
): Promise<"moved" | "merged" | "gone"> {
  try {
    const r = await db
      .updateTable("jobs")
      .set({ ...set, state: "waiting", locked_by: null, locked_until: null })
      .where("id", "=", id)
      .where(guard)
      .where((eb) =>
        eb.or([
          eb("dedup_key", "is", null),
          eb.not(
            eb.exists(
              eb
                .selectFrom("jobs as w")
                .select(sql.lit(1).as("one"))
                .where("w.state", "=", "waiting")
                .whereRef("w.dedup_key", "=", "jobs.dedup_key"),
            ),
          ),
        ]),
      )
      .executeTakeFirst();
    if (r.numUpdatedRows > 0n) return "moved";
  } catch (err) {
    // A concurrent enqueue of the same key can still win between the check and the write (PostgreSQL).
    if (!isUniqueViolation(err)) throw err;
  }
  const d = await db.deleteFrom("jobs").where("id", "=", id).where(guard).executeTakeFirst();
  return d.numDeletedRows > 0n ? "merged" : "gone";
}

/** A unique-index violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown } | null;
  if (!e) return false;
  // PostgreSQL unique_violation; SQLite SQLITE_CONSTRAINT_UNIQUE (node:sqlite puts it in errcode).
  return e.code === "23505" || e.errcode === 2067 || (typeof e.message === "string" && e.message.includes("UNIQUE constraint failed"));
}

/** The text kept with a failed job: the stack when there is one (it starts with the message), bounded. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
