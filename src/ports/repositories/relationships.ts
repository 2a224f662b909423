/** Options a follow (or a pending follow request) carries. */
export interface FollowOptions {
  readonly showReblogs: boolean;
  readonly notify: boolean;
  /** ISO 639 codes; null means every language. */
  readonly languages: readonly string[] | null;
}

export interface NewFollow extends FollowOptions {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly targetAccountId: bigint;
  readonly now: number;
  /** The Follow activity's id (a remote follower's, or the one Herd sent), for Accept, Reject and Undo. */
  readonly uri?: string | null;
}

/** A follow's or request's options with the id of its Follow activity (null when none was recorded). */
export interface StoredFollow extends FollowOptions {
  readonly uri?: string | null;
}

/** A follow or pending request found by its Follow activity's id. */
export interface FollowByUri {
  readonly accountId: bigint;
  readonly targetAccountId: bigint;
  /** True for a pending follow request, false for a follow. */
  readonly request: boolean;
}

/** A change to follow options; undefined keeps the current value. */
export interface FollowOptionChanges {
  readonly showReblogs?: boolean;
  readonly notify?: boolean;
  readonly languages?: readonly string[] | null;
}

export interface NewMute {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly targetAccountId: bigint;
  readonly hideNotifications: boolean;
  /** Null: until unmuted. */
  readonly expiresAt: number | null;
  readonly now: number;
}

/** How one account stands towards another, from the first one's side (Mastodon's Relationship). */
export interface RelationshipState {
  readonly following: FollowOptions | null;
  readonly followedBy: boolean;
  readonly requested: FollowOptions | null;
  readonly requestedBy: boolean;
  readonly blocking: boolean;
  readonly blockedBy: boolean;
  /** Only mutes that have not expired. */
  readonly muting: { readonly hideNotifications: boolean; readonly expiresAt: number | null } | null;
  readonly domainBlocking: boolean;
  readonly endorsed: boolean;
  readonly note: string;
  /** Whether the other account is suspended (Mastodon leaves those out unless asked). */
  readonly targetSuspended: boolean;
}

/** Mastodon's paging window over relationship rows: exclusive id bounds, newest first. */
export interface RowPage {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

/** One row of a relationship list: the row's id (the paging key) and the account it lists. */
export interface ListedAccount {
  readonly rowId: bigint;
  readonly accountId: bigint;
}

export interface ListedMute extends ListedAccount {
  readonly expiresAt: number | null;
}

/** Which rows a list leaves out for a viewer. */
export interface ListFilter {
  /** Leave out accounts this account blocks, is blocked by, or mutes (Mastodon's "excluded" accounts). */
  readonly excludeFor: bigint;
  /** Decides which mutes have expired. */
  readonly now: number;
}

export type AccountList = "followers" | "following" | "blocks" | "follow_requests" | "endorsements";

/**
 * Follows, follow requests, blocks, mutes, private notes, endorsements and user-level domain blocks. Writes
 * report whether they changed a row, so services know what happened. Follower and following counts change with
 * atomic increments right after the follow row, only when a row was really inserted or deleted: call the
 * writes inside a transaction so that both land or neither does.
 */
export interface RelationshipsRepository {
  /** Inserts a follow and bumps both counters; false (and no change) when it already existed. */
  follow(input: NewFollow): Promise<boolean>;
  updateFollow(accountId: bigint, targetAccountId: bigint, changes: FollowOptionChanges): Promise<void>;
  /** Deletes a follow, lowers both counters and drops the endorsement it allowed; false when there was none. */
  unfollow(accountId: bigint, targetAccountId: bigint): Promise<boolean>;
  findFollow(accountId: bigint, targetAccountId: bigint): Promise<StoredFollow | null>;
  /** The follow or pending request whose Follow activity has this id (a follow first, if both). */
  findFollowByUri(uri: string): Promise<FollowByUri | null>;

  /** Inserts a pending follow request; false when one existed. */
  requestFollow(input: NewFollow): Promise<boolean>;
  updateFollowRequest(accountId: bigint, targetAccountId: bigint, changes: FollowOptionChanges): Promise<void>;
  /** Includes the request's Follow id, so approving it (`follow({ ...request })`) carries the id over. */
  findFollowRequest(accountId: bigint, targetAccountId: bigint): Promise<StoredFollow | null>;
  /** Deletes a pending request; false when there was none. */
  deleteFollowRequest(accountId: bigint, targetAccountId: bigint): Promise<boolean>;
  countFollowRequests(targetAccountId: bigint): Promise<number>;

  /** Inserts a block; false when it existed. */
  block(id: bigint, accountId: bigint, targetAccountId: bigint, now: number): Promise<boolean>;
  unblock(accountId: bigint, targetAccountId: bigint): Promise<boolean>;
  /** Whether `a` blocks `b` and whether `b` blocks `a`. */
  blocksBetween(a: bigint, b: bigint): Promise<{ aBlocksB: boolean; bBlocksA: boolean }>;

  /** Creates or replaces a mute (options and expiry). */
  mute(input: NewMute): Promise<void>;
  unmute(accountId: bigint, targetAccountId: bigint): Promise<boolean>;

  /** Sets the private note, or deletes it when `comment` is null. */
  setNote(id: bigint, accountId: bigint, targetAccountId: bigint, comment: string | null, now: number): Promise<void>;

  /** Endorses (features on the profile); false when already endorsed. */
  endorse(id: bigint, accountId: bigint, targetAccountId: bigint, now: number): Promise<boolean>;
  unendorse(accountId: bigint, targetAccountId: bigint): Promise<boolean>;
  countEndorsements(accountId: bigint): Promise<number>;

  /** Blocks a domain for one account; false when already blocked. */
  blockDomain(id: bigint, accountId: bigint, domain: string, now: number): Promise<boolean>;
  unblockDomain(accountId: bigint, domain: string): Promise<boolean>;
  isDomainBlocked(accountId: bigint, domain: string): Promise<boolean>;
  /**
   * Removes followers and pending follow requests of `accountId` that come from `domain` (counters included);
   * returns the follower ids removed.
   */
  removeFollowersFromDomain(accountId: bigint, domain: string): Promise<bigint[]>;

  /**
   * The relationship from `accountId` to each of `targetIds` that exists (missing accounts have no entry), in
   * one round trip; `now` decides which mutes have expired.
   */
  relationships(accountId: bigint, targetIds: readonly bigint[], now: number): Promise<Map<bigint, RelationshipState>>;

  /**
   * A page of one account's list, newest row first, leaving out suspended accounts:
   * followers/following of `accountId`, or its blocks, follow requests received, endorsements.
   */
  listAccounts(list: AccountList, accountId: bigint, page: RowPage, filter?: ListFilter): Promise<ListedAccount[]>;
  /** A page of unexpired mutes. */
  listMutes(accountId: bigint, page: RowPage, now: number): Promise<ListedMute[]>;
  listDomainBlocks(accountId: bigint, page: RowPage): Promise<{ rowId: bigint; domain: string }[]>;

  /**
   * For each target that does not hide its network: its followers that `viewerId` follows and that do not hide
   * their network either.
   */
  familiarFollowers(viewerId: bigint, targetIds: readonly bigint[]): Promise<Map<bigint, bigint[]>>;
}
