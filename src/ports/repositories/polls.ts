/** One answer of a poll and its tally. */
export interface PollOption {
  readonly title: string;
  readonly votesCount: number;
}

/** A poll as stored, with its options in order (a vote names an option by its index). */
export interface PollRecord {
  readonly id: bigint;
  readonly statusId: bigint;
  readonly accountId: bigint;
  readonly options: readonly PollOption[];
  /** ms since the epoch; null for a remote poll that never ends. */
  readonly expiresAt: number | null;
  readonly multiple: boolean;
  readonly hideTotals: boolean;
  readonly votesCount: number;
  /** Distinct voters; null when unknown (remote). */
  readonly votersCount: number | null;
  /** When the poll was ended and its notifications sent; null until then. */
  readonly endedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewPoll {
  readonly id: bigint;
  readonly statusId: bigint;
  readonly accountId: bigint;
  /** Option titles with the ids of their rows. */
  readonly options: readonly { readonly id: bigint; readonly title: string }[];
  readonly expiresAt: number;
  readonly multiple: boolean;
  readonly hideTotals: boolean;
  readonly now: number;
}

/** A remote poll (a Question) as its server reports it: its tallies are that server's. */
export interface NewRemotePoll {
  readonly id: bigint;
  readonly statusId: bigint;
  readonly accountId: bigint;
  readonly options: readonly { readonly id: bigint; readonly title: string; readonly votesCount: number }[];
  /** Null: never ends. */
  readonly expiresAt: number | null;
  readonly multiple: boolean;
  /** Null when the server does not say. */
  readonly votersCount: number | null;
  readonly now: number;
}

/**
 * Polls, their options and votes. Tallies change by atomic increments: call the vote writes inside one
 * transaction, `openForVoting` first (it takes the poll's row lock, so votes on one poll apply one at a time).
 */
export interface PollsRepository {
  /** Creates the poll and its options (in the transaction that creates the status). */
  create(input: NewPoll): Promise<void>;
  /** Creates a remote poll with the tallies its server reported (votes_count is their sum). */
  createRemote(input: NewRemotePoll): Promise<void>;
  /**
   * Sets a remote poll's tallies from an Update of its Question (same options): each option's count by index,
   * the voters, and the end; votes_count becomes their sum.
   */
  setRemoteTallies(pollId: bigint, change: { votes: readonly number[]; votersCount: number | null; expiresAt: number | null; now: number }): Promise<void>;
  findById(id: bigint): Promise<PollRecord | null>;
  /** The polls of these statuses, by status id. */
  findByStatusIds(statusIds: readonly bigint[]): Promise<Map<bigint, PollRecord>>;
  /**
   * The option titles of these statuses' polls, by status id, each list in option order; statuses without a poll
   * are absent. One query (filters match keywords in poll options).
   */
  optionTitlesByStatus(statusIds: readonly bigint[]): Promise<Map<bigint, string[]>>;
  /** The options `accountId` chose, by poll id (polls without a vote are absent), in choice order. */
  choicesOf(accountId: bigint, pollIds: readonly bigint[]): Promise<Map<bigint, number[]>>;

  /**
   * Adds `votes` to the poll's total if it is still open at `now` (no end, or an end after `now`), locking the
   * poll's row until the transaction ends. False when the poll has ended or is gone.
   */
  openForVoting(pollId: bigint, votes: number, now: number): Promise<boolean>;
  /** Records `accountId`'s votes; throws when one of them repeats an existing (poll, account, choice). */
  addVotes(pollId: bigint, accountId: bigint, votes: readonly { id: bigint; choice: number }[], now: number): Promise<void>;
  /** Adds one vote to each option at these indexes. */
  addOptionVotes(pollId: bigint, choices: readonly number[]): Promise<void>;
  /** Adds one to the distinct voters (a null count stays null). */
  addVoter(pollId: bigint): Promise<void>;

  /**
   * Replaces the options and clears every vote, tally and voter count, as Mastodon does when an edit changes a
   * poll's options; also sets the settings and the new end (clearing `endedAt`).
   */
  resetOptions(
    pollId: bigint,
    change: { options: readonly { id: bigint; title: string }[]; expiresAt: number; multiple: boolean; hideTotals: boolean; now: number },
  ): Promise<void>;
  /** Changes the settings that an edit may change without resetting votes. */
  updateSettings(pollId: bigint, change: { expiresAt: number; multiple: boolean; hideTotals: boolean; now: number }): Promise<void>;
  /** Deletes a status's poll (an edit that removes it); votes and options go with it. */
  deleteByStatusId(statusId: bigint): Promise<void>;

  /**
   * Ids of polls whose end is at or before `now` and that nobody has ended yet, oldest end first; remote
   * authors' polls only when their end is also at or before `remoteBefore` (default `now`).
   */
  dueForEnding(now: number, limit: number, remoteBefore?: number): Promise<bigint[]>;
  /** Marks the poll ended if it is due at `now` and not yet ended; true for the one caller that did it. */
  markEnded(pollId: bigint, now: number): Promise<boolean>;
  /** Local accounts that voted on the poll, each once. */
  localVoterIds(pollId: bigint): Promise<bigint[]>;
}
