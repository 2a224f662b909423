import type { Visibility } from "../../domain/profile.ts";

/** A status as stored. Local statuses keep their plain source text; uri and url are null for them (derived). */
export interface StatusRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly text: string;
  readonly spoilerText: string;
  readonly visibility: Visibility;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly inReplyToId: bigint | null;
  readonly inReplyToAccountId: bigint | null;
  readonly reblogOfId: bigint | null;
  /** The thread this status belongs to (its own id for a new thread). */
  readonly conversationId: bigint | null;
  readonly uri: string | null;
  readonly url: string | null;
  readonly applicationId: bigint | null;
  readonly repliesCount: number;
  readonly reblogsCount: number;
  readonly favouritesCount: number;
  readonly mediaAttachmentIds: readonly bigint[] | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly editedAt: number | null;
  readonly deletedAt: number | null;
}

/** An account's statuses count and last status time, as a change of them left them. */
export interface AccountStatusCounts {
  readonly statusesCount: number;
  readonly lastStatusAt: number | null;
  /** Whether any remote account follows it (what federationRecipients.hasRemoteFollowers answers). */
  readonly hasRemoteFollowers: boolean;
}

export interface NewStatus {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly text: string;
  readonly spoilerText: string;
  readonly visibility: Visibility;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly inReplyToId: bigint | null;
  readonly inReplyToAccountId: bigint | null;
  readonly applicationId: bigint | null;
  /** The boosted status, for a boost (whose text is empty). */
  readonly reblogOfId?: bigint | null;
  readonly conversationId: bigint | null;
  readonly now: number;
  /** A remote status's ActivityPub id and page (unique: a second delivery of the same object finds the first). */
  readonly uri?: string | null;
  readonly url?: string | null;
  /** A remote status that arrives already edited. */
  readonly editedAt?: number | null;
}

/**
 * Which of one author's statuses a viewer may see, as domain/visibility.ts's visibleSets renders the policy:
 * visibilities always shown, and those shown only when the status mentions `viewerId`.
 */
export interface VisibleTo {
  readonly always: readonly Visibility[];
  readonly ifMentioned: readonly Visibility[];
  readonly viewerId: bigint | null;
}

export interface AccountStatusesQuery {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
  readonly visibleTo: VisibleTo;
  /** Leave out replies to others (replies to oneself, threads, stay, as in Mastodon). */
  readonly excludeReplies?: boolean;
  readonly excludeReblogs?: boolean;
  readonly onlyMedia?: boolean;
  /** Only statuses the author pinned. */
  readonly pinned?: boolean;
}

/** The application a status was posted with. */
export interface StatusApplication {
  readonly name: string;
  readonly website: string | null;
}

/**
 * Statuses, their mentions and pins. Counter changes are atomic increments: call the writes inside a
 * transaction with the status change they belong to.
 */
export interface StatusesRepository {
  /** Stores a new status; returns it as stored (its counters zero, no attachments yet). */
  create(input: NewStatus): Promise<StatusRecord>;
  /**
   * Stores a remote status unless a status (deleted or not) already has its uri; returns it as stored, or null
   * when the uri is taken. A concurrent insert of the same uri is waited for, not failed.
   */
  createWithUri(input: NewStatus & { readonly uri: string }): Promise<StatusRecord | null>;
  /**
   * createWithUri and addAccountStatuses(author, 1, input.now) as one atomic write, outside a transaction or in
   * one: for a remote status with nothing else to store (no parent, mentions, tags, media or poll). On
   * PostgreSQL it is one statement, where a transaction of two costs three round trips more. Null, with
   * nothing written, when the uri is taken.
   */
  createCountedWithUri(input: NewStatus & { readonly uri: string }): Promise<StatusRecord | null>;
  /** A status that is not deleted, or null. */
  findById(id: bigint): Promise<StatusRecord | null>;
  findByIds(ids: readonly bigint[]): Promise<StatusRecord[]>;
  /** A status (or boost) that is not deleted, by its ActivityPub id. */
  findByUri(uri: string): Promise<StatusRecord | null>;
  /**
   * Whether a status with this ActivityPub id was ever stored, deleted ones included: a replayed Create of a
   * deleted status must not bring it back.
   */
  uriTaken(uri: string): Promise<boolean>;
  /** An author's statuses and boosts that are not deleted, oldest first, after `afterId`, at most `limit` (batched removals). */
  oldestByAccount(accountId: bigint, afterId: bigint | null, limit: number): Promise<StatusRecord[]>;
  /** Marks a status deleted; false when it was already gone. */
  softDelete(id: bigint, now: number): Promise<boolean>;
  /** Adds `by` to the replies count of a status (never below zero). */
  addReplies(id: bigint, by: number): Promise<void>;
  /**
   * Adds `by` to the author's statuses count (never below zero); `lastStatusAt` sets last_status_at. Returns the
   * counts as this change left them (null when the account is gone).
   */
  addAccountStatuses(accountId: bigint, by: number, lastStatusAt?: number): Promise<AccountStatusCounts | null>;
  /** A page of one author's statuses, newest first, only those `visibleTo` allows. */
  listByAccount(accountId: bigint, query: AccountStatusesQuery): Promise<StatusRecord[]>;

  addMentions(statusId: bigint, mentions: readonly { id: bigint; accountId: bigint }[]): Promise<void>;
  /** Mentioned account ids per status, in mention order. */
  mentionsOf(statusIds: readonly bigint[]): Promise<Map<bigint, bigint[]>>;
  isMentioned(statusId: bigint, accountId: bigint): Promise<boolean>;

  /** Pins; false when already pinned. */
  pin(id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean>;
  unpin(accountId: bigint, statusId: bigint): Promise<boolean>;
  countPins(accountId: bigint): Promise<number>;
  /** Which of `statusIds` `accountId` pinned. */
  pinnedAmong(accountId: bigint, statusIds: readonly bigint[]): Promise<Set<bigint>>;
  applicationsOf(applicationIds: readonly bigint[]): Promise<Map<bigint, StatusApplication>>;
}
