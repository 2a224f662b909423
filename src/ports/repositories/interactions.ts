import type { ListedAccount, RowPage } from "./relationships.ts";

/** One row of the viewer's favourites or bookmarks: the row id pages the list. */
export interface ListedStatus {
  readonly rowId: bigint;
  readonly statusId: bigint;
}

/** What one viewer has done to a page of statuses, for the Status entity's viewer fields. */
export interface ViewerState {
  readonly favourited: ReadonlySet<bigint>;
  readonly bookmarked: ReadonlySet<bigint>;
  /** Statuses the viewer has a live boost of. */
  readonly reblogged: ReadonlySet<bigint>;
  readonly pinned: ReadonlySet<bigint>;
  /** Conversation ids the viewer muted. */
  readonly mutedConversations: ReadonlySet<bigint>;
}

/** How a viewer stands towards many authors at once: what the visibility policy needs, nothing more. */
export interface AuthorFacts {
  /** Authors the viewer follows, blocks, is blocked by, and mutes (unexpired mutes only). */
  readonly follows: ReadonlySet<bigint>;
  readonly blocks: ReadonlySet<bigint>;
  readonly blockedBy: ReadonlySet<bigint>;
  readonly mutes: ReadonlySet<bigint>;
  /** Which of the asked domains (lower case) the viewer blocked. */
  readonly blockedDomains: ReadonlySet<string>;
}

/** A stored revision of a status. */
export interface StatusEditRecord {
  readonly id: bigint;
  readonly statusId: bigint;
  readonly accountId: bigint;
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly createdAt: number;
  /** The revision's attachments, in order; null when it had none (or was stored before migration 0015). */
  readonly mediaAttachmentIds: readonly bigint[] | null;
  /** The revision's poll option titles, in order; null when it had no poll. */
  readonly pollOptions: readonly string[] | null;
}

/** The editable content of a status. */
export interface StatusContent {
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly language: string | null;
}

/** A reply in a thread: its id and the status it answers. */
export interface ThreadLink {
  readonly id: bigint;
  readonly inReplyToId: bigint;
}

/**
 * Favourites, boosts (as status rows), bookmarks, muted conversations and status revisions. Counter changes
 * are atomic increments made only when a row really changed: call the writes inside the transaction of the
 * action, so the row and the count land together.
 */
export interface InteractionsRepository {
  /** Favourites and raises favourites_count; false (no change) when already favourited. */
  favourite(id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean>;
  /** Removes the favourite and lowers favourites_count; false when there was none. */
  unfavourite(accountId: bigint, statusId: bigint): Promise<boolean>;
  /** A page of the account's favourites, newest favourite first, of statuses not deleted. */
  listFavourites(accountId: bigint, page: RowPage): Promise<ListedStatus[]>;
  /**
   * A page of the accounts that favourited a status (row id = the favourite's), newest first, leaving out
   * suspended accounts and, with `excludeFor`, accounts it blocks, mutes or is blocked by.
   */
  favouritedBy(statusId: bigint, page: RowPage, excludeFor: bigint | null, now: number): Promise<ListedAccount[]>;

  /** Bookmarks; false when already bookmarked. */
  bookmark(id: bigint, accountId: bigint, statusId: bigint, now: number): Promise<boolean>;
  /** Removes a bookmark; false when there was none. */
  unbookmark(accountId: bigint, statusId: bigint): Promise<boolean>;
  /** A page of the account's bookmarks, newest bookmark first, of statuses not deleted. */
  listBookmarks(accountId: bigint, page: RowPage): Promise<ListedStatus[]>;

  /** The id of the account's live boost of a status, or null. */
  findReblogId(accountId: bigint, statusId: bigint): Promise<bigint | null>;
  /** Ids of every live boost of a status. */
  reblogIdsOf(statusId: bigint): Promise<{ id: bigint; accountId: bigint }[]>;
  /** Adds `by` to a status's reblogs_count (never below zero). */
  addReblogs(statusId: bigint, by: number): Promise<void>;
  /**
   * A page of the accounts with a public or unlisted live boost of a status (row id = the boost's id), newest
   * first, with the same exclusions as favouritedBy.
   */
  rebloggedBy(statusId: bigint, page: RowPage, excludeFor: bigint | null, now: number): Promise<ListedAccount[]>;

  /** Mutes a conversation for the account; false when already muted. */
  muteConversation(id: bigint, accountId: bigint, conversationId: bigint, now: number): Promise<boolean>;
  /** Unmutes a conversation; false when it was not muted. */
  unmuteConversation(accountId: bigint, conversationId: bigint): Promise<boolean>;
  /** Whether the account muted the conversation (notifications about it are suppressed). */
  isConversationMuted(accountId: bigint, conversationId: bigint): Promise<boolean>;
  /** Whether the account wrote a status of the conversation or is mentioned in one. */
  participatesIn(accountId: bigint, conversationId: bigint): Promise<boolean>;

  /**
   * The viewer's favourites, bookmarks, boosts and pins among `statusIds` and mutes among `conversationIds`, in
   * one round trip (every page of statuses asks).
   */
  viewerState(accountId: bigint, statusIds: readonly bigint[], conversationIds: readonly bigint[]): Promise<ViewerState>;

  /**
   * The facts about `viewerId` and each of `authorIds` (and `domains`) that deciding visibility needs, in one
   * round trip; `now` decides which mutes have expired. Lighter than the full relationships query, because
   * every page of statuses with boosts asks.
   */
  authorFacts(viewerId: bigint, authorIds: readonly bigint[], domains: readonly string[], now: number): Promise<AuthorFacts>;

  /** Records a revision. */
  addEdit(edit: StatusEditRecord): Promise<void>;
  /** A status's revisions, oldest first. */
  editsOf(statusId: bigint): Promise<StatusEditRecord[]>;
  /** Replaces a status's content and sets edited_at. */
  updateContent(statusId: bigint, content: StatusContent, editedAt: number): Promise<void>;
  /** Replaces a status's mentions by `mentions` (kept ones keep their row). */
  replaceMentions(statusId: bigint, mentions: readonly { id: bigint; accountId: bigint }[]): Promise<void>;

  /**
   * The replies below `rootId`, level by level, at most `limit` of them and `depth` levels deep; deleted
   * statuses (and what hangs below them) are left out.
   */
  descendantLinks(rootId: bigint, limit: number, depth: number): Promise<ThreadLink[]>;
}
