import type { Int64, NullableInt64, DefaultBool, DefaultInt64, DefaultText } from "./columns.ts";

/* What people read statuses through: notifications and their policy, markers, lists, direct conversations, filters. */

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
