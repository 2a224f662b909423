/** Mastodon's filter actions: `warn` and `blur` mark a status (`filtered`), `hide` leaves it out. */
export type FilterAction = "warn" | "hide" | "blur";

/** A filter (v2 "filter group") as stored; `context` holds the contexts it applies in. */
export interface FilterRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly title: string;
  readonly context: readonly string[];
  readonly action: FilterAction;
  /** Milliseconds since the epoch; null for a filter that never expires. */
  readonly expiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface FilterKeywordRecord {
  readonly id: bigint;
  readonly filterId: bigint;
  readonly keyword: string;
  readonly wholeWord: boolean;
}

export interface FilterStatusRecord {
  readonly id: bigint;
  readonly filterId: bigint;
  readonly statusId: bigint;
}

/** A filter with its keywords and statuses, each in creation (id) order. */
export interface FilterWithRules extends FilterRecord {
  readonly keywords: readonly FilterKeywordRecord[];
  readonly statuses: readonly FilterStatusRecord[];
}

export interface NewFilter {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly title: string;
  readonly context: readonly string[];
  readonly action: FilterAction;
  readonly expiresAt: number | null;
  readonly now: number;
}

/** Fields of a filter to change; absent ones stay. */
export interface FilterChanges {
  readonly title?: string;
  readonly context?: readonly string[];
  readonly action?: FilterAction;
  readonly expiresAt?: number | null;
}

/**
 * The viewer's filters, their keywords and statuses. Lookups by a child's id take the owner too, so a record
 * of someone else's filter is simply not found.
 */
export interface FiltersRepository {
  /** Every filter of the account (expired ones too, as Mastodon lists them), oldest first, with their rules. */
  listByAccount(accountId: bigint): Promise<FilterWithRules[]>;
  /** One of the account's filters with its rules, or null. */
  findById(accountId: bigint, filterId: bigint): Promise<FilterWithRules | null>;
  /**
   * The account's filters that have not expired at `now`, with their rules, in one indexed query: it runs for
   * every page of statuses a signed-in user reads (when the cache misses).
   */
  activeRules(accountId: bigint, now: number): Promise<FilterWithRules[]>;
  create(input: NewFilter): Promise<void>;
  /** Applies `changes` and touches updated_at. */
  update(filterId: bigint, changes: FilterChanges, now: number): Promise<void>;
  /** Deletes the filter with its keywords and statuses; false when it was already gone. */
  delete(filterId: bigint): Promise<boolean>;

  addKeyword(input: { readonly id: bigint; readonly filterId: bigint; readonly keyword: string; readonly wholeWord: boolean; readonly now: number }): Promise<void>;
  /** Changes a keyword's text and/or whole_word. */
  updateKeyword(keywordId: bigint, changes: { readonly keyword?: string; readonly wholeWord?: boolean }, now: number): Promise<void>;
  deleteKeyword(keywordId: bigint): Promise<boolean>;
  /** A keyword of one of the account's filters, with that filter (no rules), or null. */
  findKeyword(accountId: bigint, keywordId: bigint): Promise<{ keyword: FilterKeywordRecord; filter: FilterRecord } | null>;
  /** Every keyword of the account's filters with its filter, oldest keyword first (the v1 API's list). */
  keywordsByAccount(accountId: bigint): Promise<{ keyword: FilterKeywordRecord; filter: FilterRecord }[]>;
  /** How many keywords a filter has. */
  countKeywords(filterId: bigint): Promise<number>;

  /** Adds a status to a filter; false when the filter already has it. */
  addStatus(input: { readonly id: bigint; readonly filterId: bigint; readonly statusId: bigint; readonly now: number }): Promise<boolean>;
  deleteStatus(filterStatusId: bigint): Promise<boolean>;
  /** A status entry of one of the account's filters, or null. */
  findStatus(accountId: bigint, filterStatusId: bigint): Promise<FilterStatusRecord | null>;
}
