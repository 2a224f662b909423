import type { ViewerState } from "./interactions.ts";
import type { ListHolding } from "./lists.ts";

/** A local follower of an author, with the options of the follow that decide what reaches their home feed. */
export interface FeedFollower {
  /** The follow row's id: fan-out pages through followers by it. */
  readonly followId: bigint;
  readonly accountId: bigint;
  readonly showReblogs: boolean;
  /** ISO 639 codes; null for every language. */
  readonly languages: readonly string[] | null;
  /** Whether the follower asked to be notified of every post (read by localFollowers only). */
  readonly notify?: boolean;
}

/** What takes a status out of receivers' feeds (Mastodon's filter_from_home "crutches"), for one status. */
export interface ExclusionQuery {
  /** Receivers who block or mute any of these are excluded (author, boosted author, mentioned accounts). */
  readonly blockedOrMuted: readonly bigint[];
  /** Receivers whom any of these block are excluded (author, boosted author). */
  readonly blockers: readonly bigint[];
  /** Receivers who block any of these domains are excluded. */
  readonly domains: readonly string[];
  /** Decides which mutes have expired. */
  readonly now: number;
}

/** How one account stands towards everyone, as rebuilding its feeds needs it. */
export interface ViewerNetwork {
  /** Followed accounts and the options of each follow. */
  readonly following: ReadonlyMap<bigint, { readonly showReblogs: boolean; readonly languages: readonly string[] | null }>;
  /** Accounts the viewer blocks or (unexpired) mutes. */
  readonly blockedOrMuted: ReadonlySet<bigint>;
  /** Accounts that block the viewer. */
  readonly blockedBy: ReadonlySet<bigint>;
  /** Domains the viewer blocks (lower case). */
  readonly domains: ReadonlySet<string>;
}

/** Which authors of a page the viewer may no longer see there, and which of them the viewer follows. */
export interface ViewerStanding {
  /** Blocked by the viewer, blocking the viewer, muted, or on a blocked domain; or suspended. */
  readonly hidden: ReadonlySet<bigint>;
  readonly following: ReadonlySet<bigint>;
  /** The viewer's state for the statuses `viewerStanding` was asked about (absent when it was asked for none). */
  readonly state?: ViewerState;
}

/** Statuses to read the viewer's state of along with the standing (the page about to be rendered). */
export interface StateWanted {
  readonly statusIds: readonly bigint[];
  readonly conversationIds: readonly bigint[];
}

export interface PublicTimelineQuery {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
  /** Only local authors (true), only remote ones (false), or both (undefined). */
  readonly local?: boolean;
  readonly onlyMedia?: boolean;
  /** Leaves out authors this account blocks, mutes or domain-blocks and those who block it. */
  readonly viewerId: bigint | null;
  readonly now: number;
  /** The viewer's chosen languages: statuses in others are left out (those without a language stay). Null: all. */
  readonly languages?: readonly string[] | null;
}

/**
 * The queries home, list and public timelines are made of. Everything is batched: fan-out asks about a whole
 * batch of receivers at once, a page read asks about all of a page's authors at once.
 */
export interface TimelinesRepository {
  /** Up to `limit` local followers of `accountId` whose follow id is above `afterFollowId`, in follow id order. */
  localFollowers(accountId: bigint, afterFollowId: bigint | null, limit: number): Promise<FeedFollower[]>;
  /**
   * What a fan-out reads first, in one round trip: localFollowers(accountId, null, limit) and
   * lists.holdingsOf(accountId).
   */
  firstAudience(accountId: bigint, limit: number): Promise<{ readonly followers: FeedFollower[]; readonly holdings: ListHolding[] }>;
  /** The follow options of those of `receiverIds` who follow `targetId`. */
  followOptionsAmong(receiverIds: readonly bigint[], targetId: bigint): Promise<Map<bigint, FeedFollower>>;
  /** Of `receiverIds`, those the query excludes (see ExclusionQuery). */
  excludedAmong(receiverIds: readonly bigint[], query: ExclusionQuery): Promise<Set<bigint>>;
  /** Of `receiverIds`, those who follow any of `targetIds`. */
  followingAnyAmong(receiverIds: readonly bigint[], targetIds: readonly bigint[]): Promise<Set<bigint>>;
  /**
   * Of `receiverIds`, those who follow an account (other than `exceptAccountId`) that boosted `statusId` before
   * `beforeId`: their home already has a copy of it.
   */
  boostedEarlierForAmong(receiverIds: readonly bigint[], statusId: bigint, beforeId: bigint, exceptAccountId: bigint): Promise<Set<bigint>>;
  /** The viewer's follows, blocks (both ways), mutes and domain blocks, for rebuilding its feeds. */
  viewerNetwork(viewerId: bigint, now: number): Promise<ViewerNetwork>;
  /** Ids of the newest statuses (boosts included) by `authorIds` below `maxId`, newest first. */
  statusIdsBy(authorIds: readonly bigint[], maxId: bigint | undefined, limit: number): Promise<bigint[]>;
  /**
   * How the viewer stands towards the authors of a page, in one query; with `state`, the same query also reads
   * the viewer's favourites, boosts, bookmarks, pins and muted conversations among those statuses (one round
   * trip for a page instead of two).
   */
  viewerStanding(viewerId: bigint, authorIds: readonly bigint[], now: number, state?: StateWanted): Promise<ViewerStanding>;
  /** A page of the public timeline, newest first: public statuses, no boosts, no suspended or silenced authors. */
  publicTimeline(query: PublicTimelineQuery): Promise<bigint[]>;
  /** A status by id even when deleted (removing it from feeds needs its author and mentions). */
  findEvenDeleted(id: bigint): Promise<{ id: bigint; accountId: bigint; reblogOfId: bigint | null; visibility: string; conversationId: bigint | null } | null>;
}
