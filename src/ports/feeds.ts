/** A range of ids, both bounds exclusive, for paging a feed. */
export interface IdRange {
  /** Only ids below this (Mastodon's `max_id`). */
  readonly maxId?: bigint;
  /** Only ids above this (`since_id` / `min_id`). */
  readonly minId?: bigint;
  /** With `minId`: the ids just above it, oldest first, then returned newest first (`min_id` paging). */
  readonly fromOldest?: boolean;
}

/**
 * Per-account home and list feeds: capped lists of status ids, newest first, that can always be rebuilt from
 * the database. A feed that does not exist is reported as missing (null), never as empty.
 */
export interface Feeds {
  /** Adds a status to the feeds that exist; returns the keys that were missing (they need a rebuild instead). */
  push(feedKeys: readonly string[], statusId: bigint): Promise<string[]>;
  /** Newest-first ids in the range, at most `limit`; null when the feed is missing. */
  page(feedKey: string, range: IdRange, limit: number): Promise<bigint[] | null>;
  /** Replaces a feed with these ids (an empty list makes an existing, empty feed); keeps only the newest `cap`. */
  replace(feedKey: string, ids: readonly bigint[]): Promise<void>;
  /** Removes a status from the feeds. */
  remove(feedKeys: readonly string[], statusId: bigint): Promise<void>;
  /** Drops a feed entirely, so the next read rebuilds it. */
  drop(feedKey: string): Promise<void>;
  /** The most ids a feed keeps. */
  readonly cap: number;
  close(): Promise<void>;
}
