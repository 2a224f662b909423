/** The words of a search query, as the index matches them (lower case, letters and digits only). */
export interface SearchTerms {
  /** Every one must occur. */
  readonly words: readonly string[];
  /** Each phrase's words must occur next to each other, in order (`"exact words"`). */
  readonly phrases: readonly (readonly string[])[];
  /** None may occur (`-word`). */
  readonly excluded: readonly string[];
}

/** What the searcher may find, before the visibility policy looks at each result. */
export interface StatusSearchQuery {
  readonly terms: SearchTerms;
  /**
   * The searcher. Candidates are, as Mastodon 4.5 makes statuses searchable: public statuses of authors who
   * opted in (`indexable`), the searcher's own statuses, and statuses that mention the searcher.
   */
  readonly viewerId: bigint;
  /** Only statuses by this author (`account_id`). */
  readonly accountId?: bigint;
  /** Exclusive id bounds (`max_id`, `min_id`). */
  readonly maxId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
  readonly offset: number;
}

/**
 * The full-text index of statuses: SQLite FTS5 or PostgreSQL tsvector, chosen by the database engine. It holds
 * only ids and searchable text; statuses stay the source of truth, so the index can always be rebuilt.
 */
export interface SearchIndex {
  /** Adds a status to the index, or replaces what it held for it (after an edit). */
  index(statusId: bigint, text: string): Promise<void>;
  /** Takes a status out of the index; nothing happens when it was not there. */
  remove(statusId: bigint): Promise<void>;
  /**
   * Ids of statuses that are not deleted, whose text holds every word and phrase and no excluded word, among the searcher's
   * candidates (see StatusSearchQuery.viewerId), newest first. The caller still applies the visibility policy.
   */
  query(query: StatusSearchQuery): Promise<bigint[]>;
}
