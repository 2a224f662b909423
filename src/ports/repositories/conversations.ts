/** One account's view of a direct-message thread with a set of participants (Mastodon's AccountConversation). */
export interface AccountConversationRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly conversationId: bigint;
  /** The other participants, ascending. */
  readonly participantIds: readonly bigint[];
  /** The direct statuses of the thread this account takes part in, oldest first. */
  readonly statusIds: readonly bigint[];
  readonly lastStatusId: bigint;
  readonly unread: boolean;
}

/** Direct-message conversations, one row per local participant. */
export interface ConversationsRepository {
  /**
   * Adds a status to the account's conversation with exactly these participants (creating it with `id`),
   * and makes it the last status. `unread` is set as given (the author reads their own message).
   */
  addStatus(input: { id: bigint; accountId: bigint; conversationId: bigint; participantIds: readonly bigint[]; statusId: bigint; unread: boolean }): Promise<void>;
  /** Rows that hold `statusId`. */
  holding(conversationId: bigint, statusId: bigint): Promise<AccountConversationRecord[]>;
  /** Replaces a row's status ids and last status (after a delete); deletes the row when none are left. */
  setStatuses(id: bigint, statusIds: readonly bigint[]): Promise<void>;
  find(accountId: bigint, id: bigint): Promise<AccountConversationRecord | null>;
  /** A page of the account's conversations, by last status id, newest first. */
  page(accountId: bigint, page: { maxId?: bigint; sinceId?: bigint; minId?: bigint; limit: number }): Promise<AccountConversationRecord[]>;
  markRead(accountId: bigint, id: bigint): Promise<void>;
  /** Deletes the account's row; false when it was gone. */
  delete(accountId: bigint, id: bigint): Promise<boolean>;
}
