import type { RowPage } from "./relationships.ts";
import type { StatusRecord } from "./statuses.ts";

/** A hashtag as stored. */
export interface TagRecord {
  readonly id: bigint;
  /** As first written (what clients show). */
  readonly name: string;
  /** The normalized key: lower case, width and accents folded (domain/status-text.ts normalizeHashtag). */
  readonly nameLower: string;
  /** Moderation flags; null until reviewed. */
  readonly usable: boolean | null;
  readonly listable: boolean | null;
  readonly trendable: boolean | null;
  readonly reviewedAt: number | null;
  readonly lastStatusAt: number | null;
  readonly createdAt: number;
}

/** A tag name to record: shown spelling and normalized key. */
export interface TagName {
  readonly name: string;
  readonly normalized: string;
}

/** One day of a tag's use: statuses and distinct authors, for Mastodon's Tag history. */
export interface TagDay {
  /** Midnight UTC of the day, in ms. */
  readonly day: number;
  readonly uses: number;
  readonly accounts: number;
}

/** A featured tag with its author's figures for it, computed from the statuses. */
export interface FeaturedTagRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly tag: TagRecord;
  /** The author's public and unlisted statuses with the tag. */
  readonly statusesCount: number;
  readonly lastStatusAt: number | null;
}

/** GET /timelines/tag/:hashtag: tag ids already resolved from names. */
export interface TagTimelineQuery {
  /** Statuses with at least one of these (the path's tag plus `any[]`). */
  readonly anyOf: readonly bigint[];
  /** …and, for each group, at least one of its tags (`all[]`: one group per name). */
  readonly allOf: readonly (readonly bigint[])[];
  /** …and none of these (`none[]`). */
  readonly noneOf: readonly bigint[];
  readonly local?: boolean;
  readonly remote?: boolean;
  readonly onlyMedia?: boolean;
  /** The signed-in viewer: their blocks (both ways), unexpired mutes and domain blocks leave statuses out. */
  readonly viewerId: bigint | null;
  readonly now: number;
  /** The viewer's chosen languages: statuses in others are left out (those without a language stay). Null: all. */
  readonly languages?: readonly string[] | null;
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

/** Tags, the statuses carrying them, followed tags and featured tags. */
export interface TagsRepository {
  /**
   * The tags with these normalized names, created when missing (first spelling wins); safe under concurrent
   * posts of the same new tag. In input order.
   */
  findOrCreate(names: readonly TagName[], ids: () => Promise<bigint>, now: number): Promise<TagRecord[]>;
  /** The tag with this normalized name, or null. */
  findByName(normalized: string): Promise<TagRecord | null>;
  /** The tags among these normalized names that exist. */
  findByNames(normalized: readonly string[]): Promise<TagRecord[]>;
  findById(id: bigint): Promise<TagRecord | null>;

  /**
   * Records that a status carries these tags (idempotent) and moves the tags' last_status_at to `now`; `ids`
   * makes the rows' ids (Tx.nextId).
   */
  addStatusTags(statusId: bigint, tagIds: readonly bigint[], ids: () => Promise<bigint>, now: number): Promise<void>;
  /** Makes a status carry exactly these tags (after an edit). */
  replaceStatusTags(statusId: bigint, tagIds: readonly bigint[], ids: () => Promise<bigint>, now: number): Promise<void>;
  /** Tags per status, in name order. */
  tagsOf(statusIds: readonly bigint[]): Promise<Map<bigint, TagRecord[]>>;

  /**
   * Listable tags whose normalized name starts with `prefix`, shortest first (Mastodon's Tag.search_for);
   * `reviewedOnly` keeps those a moderator has reviewed, and the exact match.
   */
  searchByPrefix(prefix: string, options: { limit: number; offset: number; reviewedOnly: boolean }): Promise<TagRecord[]>;
  /** Per tag, its use on each day since `sinceMs` (public statuses that are not boosts), days without use left out. */
  history(tagIds: readonly bigint[], sinceMs: number): Promise<Map<bigint, TagDay[]>>;
  /** A page of public, original statuses carrying the tags, newest first, without what the viewer excludes. */
  timeline(query: TagTimelineQuery): Promise<StatusRecord[]>;

  /** Follows a tag; false when already followed. */
  follow(id: bigint, accountId: bigint, tagId: bigint, now: number): Promise<boolean>;
  unfollow(accountId: bigint, tagId: bigint): Promise<boolean>;
  /** Which of `tagIds` the account follows. */
  followedAmong(accountId: bigint, tagIds: readonly bigint[]): Promise<Set<bigint>>;
  /** A page of followed tags, newest follow first; rowId is the follow's id (the paging key). */
  listFollowed(accountId: bigint, page: RowPage): Promise<{ rowId: bigint; tag: TagRecord }[]>;
  /**
   * Up to `limit` local accounts following any of the tags, each once, in account id order, those above
   * `afterAccountId` (null: from the start), so fan-out reads them a batch at a time.
   */
  followersOf(tagIds: readonly bigint[], afterAccountId: bigint | null, limit: number): Promise<bigint[]>;

  /** Features a tag on a profile; false when already featured. */
  feature(id: bigint, accountId: bigint, tagId: bigint, now: number): Promise<boolean>;
  /** Removes a featured tag by its id, only the account's own; false when there was none. */
  unfeature(accountId: bigint, featuredTagId: bigint): Promise<boolean>;
  /** Removes a featured tag by tag; false when it was not featured. */
  unfeatureTag(accountId: bigint, tagId: bigint): Promise<boolean>;
  /** The account's featured tags with their figures, oldest first (as Mastodon lists them). */
  listFeatured(accountId: bigint): Promise<FeaturedTagRecord[]>;
  /** How many tags the account features (count under `accounts.lockForUpdate` when enforcing the limit). */
  countFeatured(accountId: bigint): Promise<number>;
  /** Which of `tagIds` the account features. */
  featuredAmong(accountId: bigint, tagIds: readonly bigint[]): Promise<Set<bigint>>;
  /** The tags the account used most in its recent public and unlisted statuses, not yet featured. */
  mostUsedBy(accountId: bigint, limit: number): Promise<TagRecord[]>;
}
