/** What became of one key in a media migration. */
export type MediaMigrationOutcome = "copied" | "present" | "missing" | "failed";

/** Where the walk over media-referencing rows stopped: the table (by position) and the last id read in it (null: none yet). */
export interface MediaKeyCursor {
  readonly table: number;
  readonly afterId: bigint | null;
}

/**
 * The media keys the database references and the progress of `herd admin media migrate`. Keys come from rows
 * (attachments, avatars and headers, custom emojis), never from listing a store, so a migration works on buckets
 * that refuse listing.
 */
export interface MediaMigrationRepository {
  /** How many key columns are set across every media-referencing row (a key used twice counts twice). */
  countReferencedKeys(): Promise<number>;
  /**
   * The keys of the next rows after `cursor` (null: from the start), about `limit` rows at a time, in a stable
   * order (table, then id); `next` is null once every table has been read.
   */
  referencedKeys(cursor: MediaKeyCursor | null, limit: number): Promise<{ keys: string[]; next: MediaKeyCursor | null }>;
  /** Which of `keys` an earlier run already put in `destination` (recorded as copied or present). */
  finished(destination: string, keys: readonly string[]): Promise<Set<string>>;
  /** Records what became of keys in `destination`, replacing what an earlier run recorded for them. */
  record(destination: string, outcomes: readonly { key: string; outcome: MediaMigrationOutcome; size: number | null }[], now: number): Promise<void>;
}
