import type { Int64, NullableInt64, Int } from "./columns.ts";

/* The job queue, leases and id counters. */

export interface JobsTable {
  id: Int64;
  queue: string;
  name: string;
  payload: string;
  /** waiting (also delayed: run_at in the future), active, dead */
  state: string;
  /** Runs started so far. */
  attempts: Int;
  max_attempts: Int;
  backoff_ms: Int;
  run_at: Int64;
  locked_until: NullableInt64;
  locked_by: string | null;
  dedup_key: string | null;
  last_error: string | null;
  created_at: Int64;
  failed_at: NullableInt64;
}

export interface LeasesTable {
  key: string;
  owner: string;
  expires_at: Int64;
}

/** SQLite's stand-in for a PostgreSQL sequence (id blocks). */
export interface CountersTable {
  name: string;
  value: Int64;
}
