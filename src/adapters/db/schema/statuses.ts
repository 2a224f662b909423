import type { Int64, NullableInt64, Int, NullableBool, DefaultBool, DefaultInt64, DefaultText } from "./columns.ts";

/* Statuses and what hangs off them: mentions, pins, tags, favourites and bookmarks, edits, polls, scheduled posts. */

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
