import type { NotificationType } from "../../domain/notifications.ts";

/** Notification types as stored (Mastodon's v1 `type` names). */
export type StoredNotificationType = NotificationType;

/** What a notification policy does with the notifications one of its rules matches. */
export type PolicyAction = "accept" | "filter" | "drop";

export interface NotificationRecord {
  readonly id: bigint;
  /** The recipient. */
  readonly accountId: bigint;
  readonly fromAccountId: bigint;
  readonly type: StoredNotificationType;
  readonly statusId: bigint | null;
  /** Null for ungrouped (and filtered) notifications. */
  readonly groupKey: string | null;
  readonly filtered: boolean;
  readonly createdAt: number;
}

export interface NewNotification {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly fromAccountId: bigint;
  readonly type: StoredNotificationType;
  readonly statusId: bigint | null;
  readonly groupKey: string | null;
  readonly filtered: boolean;
  readonly now: number;
}

/** An account's notification policy (Mastodon's v2 NotificationPolicy, without the summary). */
export interface NotificationPolicyRecord {
  readonly forNotFollowing: PolicyAction;
  readonly forNotFollowers: PolicyAction;
  readonly forNewAccounts: PolicyAction;
  readonly forPrivateMentions: PolicyAction;
  readonly forLimitedAccounts: PolicyAction;
}

/** What the notify service needs to know about a recipient and a sender, read in one call. */
export interface DeliveryFacts {
  /** Local, existing and not suspended: only such recipients get notifications. */
  readonly recipientAvailable: boolean;
  readonly senderDomain: string | null;
  readonly senderCreatedAt: number;
  readonly senderSilenced: boolean;
  readonly senderSuspended: boolean;
  readonly recipientBlocksSender: boolean;
  /** An unexpired mute with hide_notifications. */
  readonly recipientMutesNotifications: boolean;
  readonly recipientBlocksSenderDomain: boolean;
  readonly recipientFollowsSender: boolean;
  /** When the sender started following the recipient; null when it does not. */
  readonly senderFollowsRecipientSince: number | null;
  /** The recipient accepted a request from the sender (a NotificationPermission). */
  readonly permitted: boolean;
  /** Null: the defaults. */
  readonly policy: NotificationPolicyRecord | null;
}

/** What a list of notifications leaves out. */
export interface NotificationFilter {
  /** Only these types (undefined: all). */
  readonly types?: readonly StoredNotificationType[];
  readonly excludeTypes?: readonly StoredNotificationType[];
  readonly fromAccountId?: bigint;
  /** Include filtered notifications (Mastodon includes them when a sender is given). */
  readonly includeFiltered?: boolean;
}

/** Mastodon's exclusive id window, newest first. */
export interface NotificationPage {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

/**
 * Which types group. Undefined: every groupable type (favourite, reblog, follow) groups by its stored key;
 * an empty list groups nothing.
 */
export type GroupedTypes = readonly StoredNotificationType[] | undefined;

/** Totals of one notification group, up to the top of the page being rendered. */
export interface GroupSummary {
  readonly groupKey: string;
  readonly mostRecentId: bigint;
  /** The most recent senders, newest first (at most the sample size). */
  readonly sampleAccountIds: readonly bigint[];
  readonly count: number;
  readonly latestAt: number;
  /** The oldest notification of the group at or above the page's lower bound. */
  readonly pageMinId: bigint;
}

export interface NotificationRequestRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly fromAccountId: bigint;
  readonly lastStatusId: bigint | null;
  readonly notificationsCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface MarkerRecord {
  readonly timeline: string;
  readonly lastReadId: bigint;
  readonly version: number;
  readonly updatedAt: number;
}

/**
 * Notifications, notification policies, notification requests (filtered notifications grouped per sender),
 * notification permissions and read markers. Writes belong in the transaction of the action that causes them.
 */
export interface NotificationsRepository {
  /** Everything the delivery rules need about `recipientId` and `senderId`; `now` decides mute expiry. */
  deliveryFacts(recipientId: bigint, senderId: bigint, now: number): Promise<DeliveryFacts>;
  /**
   * The group key of the recipient's latest grouped notification of `type` about `statusId` (null: none), to
   * reuse its time bucket.
   */
  latestGroupKey(recipientId: bigint, type: StoredNotificationType, statusId: bigint | null): Promise<string | null>;
  /** Inserts a notification; false (and no change) when the same event is already recorded. */
  insert(n: NewNotification): Promise<boolean>;
  /**
   * Deletes the notifications matching an undone action. Every delete lowers the count of the request that
   * held a deleted filtered mention (atomically), and drops a request left with none.
   */
  deleteMatching(match: {
    readonly type: StoredNotificationType;
    readonly fromAccountId: bigint;
    readonly recipientId?: bigint;
    readonly statusId?: bigint;
  }): Promise<void>;
  /** Deletes every notification `fromAccountId` caused `accountId`, and its request (a block). */
  deleteFrom(accountId: bigint, fromAccountId: bigint): Promise<void>;
  /** Deletes every notification about the given statuses (deleted statuses), releasing requests as deleteMatching. */
  deleteForStatuses(statusIds: readonly bigint[]): Promise<void>;

  /**
   * A page of the account's notifications, newest first, from senders that are neither suspended nor blocked by
   * the account (Mastodon deletes those on blocking; none may show while that is not wired everywhere).
   */
  list(accountId: bigint, filter: NotificationFilter, page: NotificationPage): Promise<NotificationRecord[]>;
  /** The account's notification (filtered ones too), or null. */
  findById(accountId: bigint, id: bigint): Promise<NotificationRecord | null>;
  /** Deletes one of the account's notifications, releasing requests as deleteMatching; false when there was none. */
  dismiss(accountId: bigint, id: bigint): Promise<boolean>;
  /** Deletes all of the account's notifications, filtered ones too, and so its requests. */
  clear(accountId: bigint): Promise<void>;
  /** How many notifications newer than `afterId` the list would show, counting at most `limit`. */
  countAfter(accountId: bigint, afterId: bigint, filter: NotificationFilter, limit: number): Promise<number>;

  /**
   * Mastodon's grouped paging: walks the list in id order (descending, or ascending with min_id) and keeps the
   * first notification of each group met, until `page.limit` groups. Returned newest first.
   */
  listGroupHeads(accountId: bigint, filter: NotificationFilter, grouped: GroupedTypes, page: NotificationPage): Promise<NotificationRecord[]>;
  /** How many groups among the notifications newer than `afterId`, counting at most `limit`. */
  countGroupsAfter(accountId: bigint, afterId: bigint, filter: NotificationFilter, grouped: GroupedTypes, limit: number): Promise<number>;
  /** Totals per group key over notifications with ids in [minId, maxId]; `sampleSize` senders each. */
  summarizeGroups(accountId: bigint, groupKeys: readonly string[], range: { minId: bigint; maxId: bigint }, sampleSize: number): Promise<Map<string, GroupSummary>>;
  /**
   * A page of one group's notifications (a stored group key, or "ungrouped-<id>"), newest first, from senders
   * that are not suspended.
   */
  listGroup(accountId: bigint, groupKey: string, page: NotificationPage): Promise<NotificationRecord[]>;
  /** Deletes every notification of one group; returns how many. */
  dismissGroup(accountId: bigint, groupKey: string): Promise<number>;

  /** The account's policy, or null while it has the defaults. */
  findPolicy(accountId: bigint): Promise<NotificationPolicyRecord | null>;
  /** Creates or replaces the account's policy. */
  savePolicy(accountId: bigint, policy: NotificationPolicyRecord, now: number): Promise<void>;
  /** Pending requests (at most `cap` of them) and the filtered mentions those hold (at most `cap` each). */
  requestSummary(accountId: bigint, cap: number): Promise<{ requests: number; notifications: number }>;

  /**
   * Counts one more filtered mention from `fromAccountId` in its request (creating it with `id`), which now
   * shows `lastStatusId`. An atomic increment: concurrent mentions all count.
   */
  touchRequest(id: bigint, accountId: bigint, fromAccountId: bigint, lastStatusId: bigint, now: number): Promise<void>;
  /** A page of requests, newest (by id) first, from senders neither suspended nor blocked by the account. */
  listRequests(accountId: bigint, page: NotificationPage): Promise<NotificationRequestRecord[]>;
  /** Those of `ids` that are the account's requests. */
  findRequests(accountId: bigint, ids: readonly bigint[]): Promise<NotificationRequestRecord[]>;
  /** Deletes one of the account's requests; false when there was none. */
  deleteRequest(accountId: bigint, id: bigint): Promise<boolean>;
  /** Lets the sender's notifications through from now on (an accepted request). */
  permit(id: bigint, accountId: bigint, fromAccountId: bigint, now: number): Promise<void>;
  /** Makes the sender's filtered notifications ordinary ones (an accepted request). */
  unfilterFrom(accountId: bigint, fromAccountId: bigint): Promise<void>;
  /** Deletes the sender's filtered notifications (a dismissed request). */
  deleteFilteredFrom(accountId: bigint, fromAccountId: bigint): Promise<void>;
  /** Whether a sender the account accepted still has filtered notifications (not yet merged into the list). */
  hasUnmergedRequests(accountId: bigint): Promise<boolean>;

  /**
   * Local followers of `accountId` who asked to be notified of its posts (follows.notify), by follow row id
   * after `afterRowId`, at most `limit`, with the languages their follow is limited to (null: all).
   */
  notifyingFollowers(accountId: bigint, afterRowId: bigint, limit: number): Promise<{ rowId: bigint; accountId: bigint; languages: string[] | null }[]>;

  /** The account's markers for the given timelines. */
  findMarkers(accountId: bigint, timelines: readonly string[]): Promise<MarkerRecord[]>;
  /** Sets a marker, incrementing its version when the id changes; creates it at version 0. */
  saveMarker(id: bigint, accountId: bigint, timeline: string, lastReadId: bigint, now: number): Promise<void>;
}
