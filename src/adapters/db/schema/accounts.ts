import type { ColumnType } from "kysely";
import type { Int64, NullableInt64, Bool, NullableBool, DefaultBool, DefaultInt64, DefaultText } from "./columns.ts";

/* Accounts, users, OAuth, web sessions, relationships and actor keys. */

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
  /** A remote account's avatar and header on its server (migration 0017); avatar_key/header_key are the cache. */
  avatar_remote_url: ColumnType<string | null, string | null | undefined, string | null>;
  header_remote_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the cached avatar/header were last fetched or viewed, for `herd admin media remove --prune-profiles`. */
  profile_media_used_at: ColumnType<bigint | string | null, bigint | string | number | null | undefined, bigint | string | number | null>;
  /** From a remote actor document (migration 0019); null for local accounts, whose are derived from the username. */
  inbox_url: OptionalText;
  shared_inbox_url: OptionalText;
  outbox_url: OptionalText;
  followers_url: OptionalText;
  following_url: OptionalText;
  featured_url: OptionalText;
  featured_tags_url: OptionalText;
  /** Person, Service, Group, Application or Organization; null for local accounts. */
  actor_type: OptionalText;
  /** When the remote actor document was last fetched; a stale one is fetched again. */
  fetched_at: OptionalInt64;
  /** The account this one moved to (Move, or the actor's movedTo). */
  moved_to_account_id: OptionalInt64;
  /** JSON array of actor ids (alsoKnownAs); null for none. */
  also_known_as: OptionalText;
}

/** Nullable columns added after the table, optional on insert. */
type OptionalText = ColumnType<string | null, string | null | undefined, string | null>;
type OptionalInt64 = ColumnType<bigint | string | null, bigint | string | number | null | undefined, bigint | string | number | null>;

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
  /** The Follow activity's id (migration 0019), which Accept, Reject and Undo refer to; null when not federated. */
  uri: OptionalText;
  /**
   * Whether the follower is on another server (migration 0024): set from its domain when the row is written, so
   * "has this account a remote follower" is one probe of a partial index rather than a join over every follower.
   */
  remote_follower: DefaultBool;
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

/** An actor's key pairs as PEM (SPKI public, PKCS#8 private); account_id 0 is the instance actor. */
export interface AccountKeysTable {
  account_id: Int64;
  rsa_public_key: string;
  rsa_private_key: string;
  ed25519_public_key: string;
  ed25519_private_key: string;
  created_at: Int64;
}
