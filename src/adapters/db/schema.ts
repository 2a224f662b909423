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
  /** A remote account's avatar and header on its server (migration 0017); avatar_key/header_key are the cache. */
  avatar_remote_url: ColumnType<string | null, string | null | undefined, string | null>;
  header_remote_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the cached avatar/header were last fetched or viewed, for `herd admin media remove --prune-profiles`. */
  profile_media_used_at: ColumnType<bigint | string | null, bigint | string | number | null | undefined, bigint | string | number | null>;
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

export interface NotificationsTable {
  id: Int64;
  /** The recipient. */
  account_id: Int64;
  from_account_id: Int64;
  type: string;
  status_id: NullableInt64;
  /** status_id, or 0 when there is none: the unique event key. */
  activity_key: Int64;
  /** Null for ungrouped and filtered notifications. */
  group_key: string | null;
  filtered: DefaultBool;
  created_at: Int64;
}

export interface NotificationPoliciesTable {
  account_id: Int64;
  /** accept, filter or drop. */
  for_not_following: string;
  for_not_followers: string;
  for_new_accounts: string;
  for_private_mentions: string;
  for_limited_accounts: string;
  updated_at: Int64;
}

export interface NotificationRequestsTable {
  id: Int64;
  account_id: Int64;
  from_account_id: Int64;
  last_status_id: NullableInt64;
  notifications_count: DefaultInt64;
  created_at: Int64;
  updated_at: Int64;
}

export interface NotificationPermissionsTable {
  id: Int64;
  account_id: Int64;
  from_account_id: Int64;
  created_at: Int64;
}

export interface MarkersTable {
  id: Int64;
  account_id: Int64;
  /** home or notifications. */
  timeline: string;
  last_read_id: Int64;
  version: DefaultInt64;
  updated_at: Int64;
}

export interface TagsTable {
  id: Int64;
  /** As first written (shown); name_lower is the normalized key (see domain/status-text.ts normalizeHashtag). */
  name: string;
  name_lower: string;
  usable: NullableBool;
  trendable: NullableBool;
  listable: NullableBool;
  reviewed_at: NullableInt64;
  requested_review_at: NullableInt64;
  last_status_at: NullableInt64;
  created_at: Int64;
  updated_at: Int64;
}

export interface StatusTagsTable {
  id: Int64;
  status_id: Int64;
  tag_id: Int64;
}

export interface TagFollowsTable {
  id: Int64;
  account_id: Int64;
  tag_id: Int64;
  created_at: Int64;
}

export interface FeaturedTagsTable {
  id: Int64;
  account_id: Int64;
  tag_id: Int64;
  created_at: Int64;
}

export interface ListsTable {
  id: Int64;
  account_id: Int64;
  title: string;
  /** followed, list or none. */
  replies_policy: DefaultText;
  exclusive: DefaultBool;
  created_at: Int64;
  updated_at: Int64;
}

export interface ListAccountsTable {
  id: Int64;
  list_id: Int64;
  /** The member. */
  account_id: Int64;
}

export interface AccountConversationsTable {
  id: Int64;
  account_id: Int64;
  conversation_id: Int64;
  /** The other participants' ids, ascending, joined by spaces ("" when alone). */
  participant_account_ids: string;
  /** JSON array of the direct status ids, oldest first. */
  status_ids: string;
  last_status_id: Int64;
  unread: DefaultBool;
}

export interface StatusInteractionsTable {
  id: Int64;
  account_id: Int64;
  status_id: Int64;
  created_at: Int64;
}

export interface ConversationMutesTable {
  id: Int64;
  account_id: Int64;
  /** statuses.conversation_id of the muted thread. */
  conversation_id: Int64;
  created_at: Int64;
}

/** One revision of an edited status (the first row is the original version). */
export interface StatusEditsTable {
  id: Int64;
  status_id: Int64;
  account_id: Int64;
  text: DefaultText;
  spoiler_text: DefaultText;
  sensitive: DefaultBool;
  language: string | null;
  created_at: Int64;
  /** JSON array of attachment ids (strings), in order, as the revision had them (migration 0015). */
  media_attachment_ids: string | null;
  /** JSON array of the revision's poll option titles (migration 0015). */
  poll_options: string | null;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updated_at: Int64;
}

export interface InstanceRulesTable {
  id: Int64;
  text: string;
  hint: DefaultText;
  created_at: Int64;
}

export interface CustomEmojisTable {
  id: Int64;
  shortcode: string;
  /** Null for this instance's own emojis. */
  domain: string | null;
  image_key: string;
  /** A PNG of the first frame (static_url). */
  static_key: string;
  category: string | null;
  visible_in_picker: DefaultBool;
  disabled: DefaultBool;
  created_at: Int64;
  updated_at: Int64;
}

export interface AnnouncementsTable {
  id: Int64;
  text: string;
  starts_at: NullableInt64;
  ends_at: NullableInt64;
  all_day: DefaultBool;
  published: DefaultBool;
  published_at: NullableInt64;
  created_at: Int64;
  updated_at: Int64;
}

export interface AnnouncementReactionsTable {
  id: Int64;
  announcement_id: Int64;
  account_id: Int64;
  /** A unicode emoji or a custom emoji's shortcode. */
  name: string;
  custom_emoji_id: NullableInt64;
  created_at: Int64;
}

/** Announcements an account dismissed (Mastodon's announcement_mutes). */
export interface AnnouncementMutesTable {
  id: Int64;
  announcement_id: Int64;
  account_id: Int64;
  created_at: Int64;
}

export interface CustomFiltersTable {
  id: Int64;
  account_id: Int64;
  title: string;
  /** JSON array of filter contexts. */
  context: string;
  /** warn, hide or blur */
  action: DefaultText;
  expires_at: NullableInt64;
  created_at: Int64;
  updated_at: Int64;
}

export interface CustomFilterKeywordsTable {
  id: Int64;
  filter_id: Int64;
  keyword: string;
  whole_word: DefaultBool;
  created_at: Int64;
  updated_at: Int64;
}

export interface CustomFilterStatusesTable {
  id: Int64;
  filter_id: Int64;
  status_id: Int64;
  created_at: Int64;
}

export interface PollsTable {
  id: Int64;
  status_id: Int64;
  account_id: Int64;
  /** Null only for remote polls that never end. */
  expires_at: NullableInt64;
  multiple: DefaultBool;
  hide_totals: DefaultBool;
  votes_count: DefaultInt64;
  /** Distinct voters; null when a remote server does not say. */
  voters_count: NullableInt64;
  /** When the poll was ended (its notifications sent); null until then. */
  ended_at: NullableInt64;
  created_at: Int64;
  updated_at: Int64;
}

export interface PollOptionsTable {
  id: Int64;
  poll_id: Int64;
  /** 0-based index, as votes name the option. */
  position: Int;
  title: string;
  votes_count: DefaultInt64;
}

export interface PollVotesTable {
  id: Int64;
  poll_id: Int64;
  account_id: Int64;
  choice: Int;
  created_at: Int64;
}

export interface ScheduledStatusesTable {
  id: Int64;
  account_id: Int64;
  scheduled_at: Int64;
  /** JSON: the post's parameters as ScheduledStatus.params shows them. */
  params: string;
  created_at: Int64;
}

export interface MediaAttachmentsTable {
  id: Int64;
  account_id: Int64;
  status_id: NullableInt64;
  /** image, gifv, video, audio or unknown. */
  type: string;
  /** queued, in_progress, complete or failed. */
  processing: string;
  processing_error: string | null;
  /** MediaStore key of the raw upload while a job has yet to process it. */
  upload_key: string | null;
  file_key: string | null;
  file_content_type: string | null;
  file_size: NullableInt64;
  small_key: string | null;
  /** A custom thumbnail (audio and video only), shown instead of the small preview. */
  thumbnail_key: string | null;
  /** JSON: Mastodon's `meta` (original, small, focus, and for audio/video length, duration, fps, …). */
  meta: string;
  description: string | null;
  blurhash: string | null;
  created_at: Int64;
  updated_at: Int64;
  /** The pending scheduled status that will attach it (migration 0015); the unattached cleanup spares it. */
  scheduled_status_id: NullableInt64;
  /** The file on the origin server for a remote attachment (migration 0017); null for local uploads. */
  remote_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the remote cache was last filled or viewed (migration 0017): the retention cleanup goes by it. */
  last_used_at: ColumnType<bigint | string | null, bigint | string | number | null | undefined, bigint | string | number | null>;
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

/** Progress of `herd admin media migrate`, per media key (migration 0016). */
export interface MediaMigrationKeysTable {
  key: string;
  destination: string;
  /** copied, present, missing or failed. */
  outcome: string;
  size: NullableInt64;
  updated_at: Int64;
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
  favourites: StatusInteractionsTable;
  bookmarks: StatusInteractionsTable;
  conversation_mutes: ConversationMutesTable;
  status_edits: StatusEditsTable;
  notifications: NotificationsTable;
  notification_policies: NotificationPoliciesTable;
  notification_requests: NotificationRequestsTable;
  notification_permissions: NotificationPermissionsTable;
  markers: MarkersTable;
  tags: TagsTable;
  status_tags: StatusTagsTable;
  tag_follows: TagFollowsTable;
  featured_tags: FeaturedTagsTable;
  lists: ListsTable;
  list_accounts: ListAccountsTable;
  account_conversations: AccountConversationsTable;
  jobs: JobsTable;
  leases: LeasesTable;
  counters: CountersTable;
  instance_settings: InstanceSettingsTable;
  instance_rules: InstanceRulesTable;
  custom_emojis: CustomEmojisTable;
  announcements: AnnouncementsTable;
  announcement_reactions: AnnouncementReactionsTable;
  announcement_mutes: AnnouncementMutesTable;
  suggestion_dismissals: PairTable;
  custom_filters: CustomFiltersTable;
  custom_filter_keywords: CustomFilterKeywordsTable;
  custom_filter_statuses: CustomFilterStatusesTable;
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_votes: PollVotesTable;
  scheduled_statuses: ScheduledStatusesTable;
  media_attachments: MediaAttachmentsTable;
  account_keys: AccountKeysTable;
  media_migration_keys: MediaMigrationKeysTable;
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
  "favourites",
  "bookmarks",
  "conversation_mutes",
  "status_edits",
  "notifications",
  "notification_policies",
  "notification_requests",
  "notification_permissions",
  "markers",
  "tags",
  "status_tags",
  "tag_follows",
  "featured_tags",
  "lists",
  "list_accounts",
  "account_conversations",
  "instance_settings",
  "instance_rules",
  "custom_emojis",
  "announcements",
  "announcement_reactions",
  "announcement_mutes",
  "suggestion_dismissals",
  "custom_filters",
  "custom_filter_keywords",
  "custom_filter_statuses",
  "polls",
  "poll_options",
  "poll_votes",
  "scheduled_statuses",
  "media_attachments",
  "account_keys",
  "media_migration_keys",
  "jobs",
  "leases",
];

export type { Generated };
