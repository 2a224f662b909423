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
type NullableBool = ColumnType<boolean | number | bigint | null, boolean | null, boolean | null>;
/** Columns with a database default: optional on insert. */
type DefaultBool = ColumnType<boolean | number | bigint, boolean | undefined, boolean>;
type DefaultInt64 = ColumnType<bigint | string, bigint | string | number | undefined, bigint | string | number>;
type DefaultText = ColumnType<string, string | undefined, string>;

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
  /** Null: the owner has not chosen (Mastodon shows no directory opt-in either way). */
  discoverable: NullableBool;
  indexable: DefaultBool;
  hide_collections: DefaultBool;
  /** MediaStore keys of the processed avatar and header; null for none. */
  avatar_key: string | null;
  header_key: string | null;
  /** JSON: [{ name, value, verified_at }] — local values are the plain source text. */
  fields: DefaultText;
  followers_count: DefaultInt64;
  following_count: DefaultInt64;
  statuses_count: DefaultInt64;
  last_status_at: NullableInt64;
  /** ActivityPub id and profile URL; null for local accounts, whose are derived from the username. */
  uri: string | null;
  url: string | null;
  suspended_at: NullableInt64;
  silenced_at: NullableInt64;
  memorial: DefaultBool;
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
  /** JSON: posting defaults and reading preferences (see Preferences in the Mastodon docs). */
  settings: DefaultText;
  /** JSON array of ISO 639 codes, or null for all languages. */
  chosen_languages: string | null;
  confirmation_token_hash: string | null;
  confirmation_sent_at: NullableInt64;
  unconfirmed_email: string | null;
  reset_password_token_hash: string | null;
  reset_password_sent_at: NullableInt64;
  sign_up_ip: string | null;
  approval_reason: string | null;
  agreement_at: NullableInt64;
  last_sign_in_at: NullableInt64;
  created_by_application_id: NullableInt64;
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
  refresh_token_hash: string | null;
  last_used_at: NullableInt64;
  /** The authorization code this token (or the token it was refreshed from) was issued for. */
  grant_id: NullableInt64;
}

export interface OAuthAccessGrantsTable {
  id: Int64;
  code_hash: string;
  application_id: Int64;
  user_id: Int64;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  /** "S256" or "plain". */
  code_challenge_method: string | null;
  expires_at: Int64;
  used_at: NullableInt64;
  created_at: Int64;
}

export interface WebSessionsTable {
  id: Int64;
  session_hash: string;
  user_id: Int64;
  ip: string | null;
  user_agent: string | null;
  created_at: Int64;
  last_seen_at: Int64;
  expires_at: Int64;
}

/** One row per (account, target) pair: follows, follow requests, blocks, mutes, notes, endorsements. */
export interface PairTable {
  id: Int64;
  account_id: Int64;
  target_account_id: Int64;
  created_at: Int64;
}

export interface FollowsTable extends PairTable {
  show_reblogs: DefaultBool;
  notify: DefaultBool;
  /** JSON array of ISO 639 codes, or null for all. */
  languages: string | null;
}

export interface MutesTable extends PairTable {
  hide_notifications: DefaultBool;
  expires_at: NullableInt64;
}

export interface AccountNotesTable extends PairTable {
  comment: string;
}

export interface AccountDomainBlocksTable {
  id: Int64;
  account_id: Int64;
  domain: string;
  created_at: Int64;
}

export interface StatusesTable {
  id: Int64;
  account_id: Int64;
  /** Plain source text of local statuses (rendered on output). */
  text: DefaultText;
  spoiler_text: DefaultText;
  /** public, unlisted, private or direct. */
  visibility: string;
  sensitive: DefaultBool;
  language: string | null;
  in_reply_to_id: NullableInt64;
  in_reply_to_account_id: NullableInt64;
  reblog_of_id: NullableInt64;
  /** The thread: a reply's parent's conversation_id, else the status's own id. */
  conversation_id: NullableInt64;
  /** Null for local statuses, whose are derived from the author's username and the id. */
  uri: string | null;
  url: string | null;
  application_id: NullableInt64;
  replies_count: DefaultInt64;
  reblogs_count: DefaultInt64;
  favourites_count: DefaultInt64;
  /** JSON array of media attachment ids; null when the status has none. */
  media_attachment_ids: string | null;
  created_at: Int64;
  updated_at: Int64;
  edited_at: NullableInt64;
  deleted_at: NullableInt64;
}

export interface MentionsTable {
  id: Int64;
  status_id: Int64;
  account_id: Int64;
}

export interface StatusPinsTable {
  id: Int64;
  account_id: Int64;
  status_id: Int64;
  created_at: Int64;
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
  oauth_access_grants: OAuthAccessGrantsTable;
  web_sessions: WebSessionsTable;
  follows: FollowsTable;
  follow_requests: FollowsTable;
  blocks: PairTable;
  mutes: MutesTable;
  account_notes: AccountNotesTable;
  account_pins: PairTable;
  account_domain_blocks: AccountDomainBlocksTable;
  statuses: StatusesTable;
  mentions: MentionsTable;
  status_pins: StatusPinsTable;
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
  "oauth_access_grants",
  "web_sessions",
  "follows",
  "follow_requests",
  "blocks",
  "mutes",
  "account_notes",
  "account_pins",
  "account_domain_blocks",
  "statuses",
  "mentions",
  "status_pins",
  "jobs",
  "leases",
];

export type { Generated };
