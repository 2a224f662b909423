import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { MediaStore } from "../../ports/media-store.ts";
import type { MediaKeyCursor, MediaMigrationOutcome } from "../../ports/repositories/media-migration.ts";

/** Rows read per page of the key walk; each page's keys are checked against the progress table in one query. */
const PAGE_ROWS = 200;
/** How many failures the final report names (the rest are counted). */
const FAILURES_KEPT = 20;

export interface MigrateMediaDeps {
  readonly db: Database;
  /** The store media is moving away from; only read (and, for a copy whose original vanished meanwhile, checked). */
  readonly source: MediaStore;
  readonly target: MediaStore;
  readonly clock: Clock;
}

export interface MigrateMediaOptions {
  /** Names the target store in the progress table (`s3://bucket@endpoint`, `local:/path`). */
  readonly destination: string;
  /** Objects copied at once. */
  readonly concurrency: number;
  /** Called after each key is settled, with the counts so far. */
  readonly onProgress?: (progress: MigrationProgress) => void;
}

export interface MigrationProgress {
  /** Key references in the database when the run started (a key used twice counts twice). */
  readonly total: number;
  /** Keys settled so far in this run, of every outcome. */
  readonly done: number;
  /** Copied by this run. */
  readonly copied: number;
  /** Already in the target: found there, or recorded by an earlier run (`earlier` of them). */
  readonly present: number;
  readonly earlier: number;
  /** Referenced by a row but not in the source store (a file lost before the migration). */
  readonly missing: number;
  readonly failed: number;
}

export interface MigrationReport extends MigrationProgress {
  readonly missingKeys: readonly string[];
  readonly failures: readonly { key: string; error: string }[];
}

/**
 * Copies every object the database references from the source store to the target, keeping each object's bytes
 * and content type. Keys come from the rows (never from listing a bucket). Each key's outcome is recorded once
 * it is settled, so a run killed at any point (even kill -9) resumes where it stopped: recorded keys are skipped,
 * and a key copied but not yet recorded is found in the target. Safe beside a running Herd that uses a
 * MigratingMediaStore: new files already go to the target, and a file deleted while being copied is not left
 * behind in it.
 */
export async function migrateMedia(deps: MigrateMediaDeps, options: MigrateMediaOptions): Promise<MigrationReport> {
  const repo = deps.db.repos.mediaMigration;
  const total = await repo.countReferencedKeys();
  const counts = { total, done: 0, copied: 0, present: 0, earlier: 0, missing: 0, failed: 0 };
  const missingKeys: string[] = [];
  const failures: { key: string; error: string }[] = [];
  const settle = async (key: string, outcome: MediaMigrationOutcome, size: number | null, error?: string) => {
    await repo.record(options.destination, [{ key, outcome, size }], deps.clock.now());
    counts.done++;
    if (outcome === "copied") counts.copied++;
    else if (outcome === "present") counts.present++;
    else if (outcome === "missing") {
      counts.missing++;
      if (missingKeys.length < FAILURES_KEPT) missingKeys.push(key);
    } else {
      counts.failed++;
      if (failures.length < FAILURES_KEPT) failures.push({ key, error: error ?? "unknown error" });
    }
    options.onProgress?.({ ...counts });
  };

  const seen = new Set<string>();
  let cursor: MediaKeyCursor | null = null;
  do {
    const page = await repo.referencedKeys(cursor, PAGE_ROWS);
    cursor = page.next;
    const fresh: string[] = [];
    for (const key of page.keys) {
      // A key referenced twice (a reused emoji still, say) is settled once; the second reference counts as done.
      if (seen.has(key)) {
        counts.done++;
        counts.present++;
        continue;
      }
      seen.add(key);
      fresh.push(key);
    }
    const finished = await repo.finished(options.destination, fresh);
    if (finished.size > 0) {
      counts.done += finished.size;
      counts.present += finished.size;
      counts.earlier += finished.size;
      options.onProgress?.({ ...counts });
    }
    const todo = fresh.filter((key) => !finished.has(key));
    await eachAtMost(options.concurrency, todo, async (key) => {
      try {
        const { outcome, size } = await copyOne(deps, key);
        await settle(key, outcome, size);
      } catch (error) {
        await settle(key, "failed", null, error instanceof Error ? error.message : String(error));
      }
    });
  } while (cursor !== null);
  return { ...counts, missingKeys, failures };
}

async function copyOne(deps: MigrateMediaDeps, key: string): Promise<{ outcome: MediaMigrationOutcome; size: number | null }> {
  // Keys are never reused for other content, and both stores write whole objects only (a temporary file and a
  // rename; a single PUT or a completed multipart upload): an object in the target is a finished copy.
  if (await deps.target.exists(key)) return { outcome: "present", size: null };
  const object = await deps.source.get(key);
  if (!object) return { outcome: "missing", size: null };
  try {
    await deps.target.put(key, object.body, { contentType: object.contentType, ...(isPendingUpload(key) ? { cacheControl: "private, no-store" } : {}) });
  } finally {
    object.body.destroy();
  }
  // Deleted at the source while it was being copied (media cleanup on a running Herd): do not keep the copy.
  if (!(await deps.source.exists(key))) {
    await deps.target.delete(key);
    return { outcome: "missing", size: null };
  }
  return { outcome: "copied", size: object.size };
}

/** Raw uploads awaiting processing are stored private (see upload-media.ts); their copies stay so. */
function isPendingUpload(key: string): boolean {
  return key.startsWith("media_attachments/uploads/");
}

/** Runs `work` over `items` with at most `limit` running at once. */
async function eachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
