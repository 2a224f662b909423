import type { Generated } from "kysely";
import type { AccountsTable, UsersTable, OAuthApplicationsTable, OAuthAccessTokensTable, OAuthAccessGrantsTable, WebSessionsTable, PairTable, FollowsTable, MutesTable, AccountNotesTable, AccountDomainBlocksTable, AccountKeysTable } from "./schema/accounts.ts";
import type { StatusesTable, MentionsTable, StatusPinsTable, TagsTable, StatusTagsTable, TagFollowsTable, FeaturedTagsTable, StatusInteractionsTable, ConversationMutesTable, StatusEditsTable, PollsTable, PollOptionsTable, PollVotesTable, ScheduledStatusesTable } from "./schema/statuses.ts";
import type { NotificationsTable, NotificationPoliciesTable, NotificationRequestsTable, NotificationPermissionsTable, MarkersTable, ListsTable, ListAccountsTable, AccountConversationsTable, CustomFiltersTable, CustomFilterKeywordsTable, CustomFilterStatusesTable } from "./schema/reading.ts";
import type { InstanceSettingsTable, InstanceRulesTable, CustomEmojisTable, AnnouncementsTable, AnnouncementReactionsTable, AnnouncementMutesTable, MediaAttachmentsTable, MediaMigrationKeysTable } from "./schema/content.ts";
import type { JobsTable, LeasesTable, CountersTable } from "./schema/platform.ts";
import type { DomainBlocksTable, DomainAllowsTable } from "./schema/federation-domains.ts";
import type { DeliveryDomainsTable, DeliveryGoneInboxesTable } from "./schema/delivery.ts";
import type { ReportsTable } from "./schema/reports.ts";

/**
 * Row types of every table, one file per area under schema/ (column conventions in schema/columns.ts); this
 * file puts them together for Kysely and fixes the order `herd admin db copy` copies them in.
 */
export type * from "./schema/accounts.ts";
export type * from "./schema/statuses.ts";
export type * from "./schema/reading.ts";
export type * from "./schema/content.ts";
export type * from "./schema/platform.ts";
export type * from "./schema/federation-domains.ts";
export type * from "./schema/delivery.ts";
export type * from "./schema/reports.ts";

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
  domain_blocks: DomainBlocksTable;
  domain_allows: DomainAllowsTable;
  delivery_domains: DeliveryDomainsTable;
  delivery_gone_inboxes: DeliveryGoneInboxesTable;
  reports: ReportsTable;
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
  "domain_blocks",
  "domain_allows",
  "delivery_domains",
  "delivery_gone_inboxes",
  "reports",
  "jobs",
  "leases",
];

export type { Generated };
