import type { ColumnType, Generated } from "kysely";

/**
 * Column types as both engines return them: 64-bit integers come back as bigint from SQLite (read-bigints mode)
 * and as string from pg, so repositories convert with BigInt()/Number(); booleans are 0/1 on SQLite.
 * Timestamps are milliseconds since the epoch in a bigint column.
 */
type Int64 = ColumnType<bigint | string, bigint | string | number, bigint | string | number>;
type NullableInt64 = ColumnType<bigint | string | null, bigint | string | number | null, bigint | string | number | null>;
type Int = ColumnType<number | bigint, number, number>;
type Bool = ColumnType<boolean | number | bigint, boolean, boolean>;

export interface AccountsTable {
  id: Int64;
  username: string;
  /** Lower-cased username, for case-insensitive uniqueness on both engines. */
  username_lower: string;
  /** Null for local accounts. */
  domain: string | null;
  display_name: string;
  note: string;
  locked: Bool;
  bot: Bool;
  created_at: Int64;
  updated_at: Int64;
}

export interface UsersTable {
  id: Int64;
  account_id: Int64;
  email: string;
  email_lower: string;
  password_hash: string;
  role: string;
  confirmed_at: NullableInt64;
  approved: Bool;
  disabled: Bool;
  locale: string | null;
  created_at: Int64;
  updated_at: Int64;
}

export interface OAuthApplicationsTable {
  id: Int64;
  name: string;
  client_id: string;
  client_secret_hash: string;
  redirect_uris: string;
  scopes: string;
  website: string | null;
  owner_user_id: NullableInt64;
  created_at: Int64;
}

export interface OAuthAccessTokensTable {
  id: Int64;
  token_hash: string;
  application_id: NullableInt64;
  user_id: NullableInt64;
  scopes: string;
  created_at: Int64;
  revoked_at: NullableInt64;
}

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

export interface Tables {
  accounts: AccountsTable;
  users: UsersTable;
  oauth_applications: OAuthApplicationsTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  jobs: JobsTable;
  leases: LeasesTable;
  counters: CountersTable;
}

/** Tables in the order `herd admin db copy` copies them (parents before children). */
export const TABLES_IN_COPY_ORDER: readonly (keyof Tables)[] = [
  "accounts",
  "users",
  "oauth_applications",
  "oauth_access_tokens",
  "jobs",
  "leases",
];

export type { Generated };
