import type { Visibility } from "../../domain/profile.ts";
import type { AccountRecord } from "./accounts.ts";

export interface DirectoryQuery {
  readonly order: "active" | "new";
  /** Only this instance's accounts. */
  readonly localOnly: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** One day of use of a tag or link: statuses using it and distinct accounts that did. */
export interface DayUse {
  readonly day: number;
  readonly uses: number;
  readonly accounts: number;
}

/** A recent public local status, as trend computation reads it. */
export interface TrendCandidate {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly text: string;
  readonly visibility: Visibility;
  readonly createdAt: number;
  readonly score: number;
}

/** Queries behind the directory, follow suggestions and trends. */
export interface DiscoveryRepository {
  /**
   * Discoverable accounts that are not suspended, limited or unpublished (local users confirmed, approved and not
   * disabled), newest or most recently active first.
   */
  directory(query: DirectoryQuery): Promise<AccountRecord[]>;
  /**
   * Discoverable local accounts by followers, most first, leaving out `viewerId`, accounts the viewer follows,
   * has asked to follow, blocks, is blocked by, mutes, or dismissed as a suggestion.
   */
  suggestions(viewerId: bigint, limit: number): Promise<AccountRecord[]>;
  /** Remembers that `accountId` does not want `targetId` suggested; twice is not an error. */
  dismissSuggestion(id: bigint, accountId: bigint, targetId: bigint, now: number): Promise<void>;

  /**
   * Public local statuses (not replies, not boosts) posted since `since` by discoverable, unlimited authors,
   * newest first, at most `limit`; `score` is favourites plus boosts.
   */
  recentPublicStatuses(since: number, limit: number): Promise<TrendCandidate[]>;
  /**
   * Use of tags in public local statuses since `since`, per tag id and UTC day (day = ms of midnight), only tags
   * that are not marked untrendable.
   */
  tagUseByDay(since: number): Promise<{ tagId: bigint; name: string; nameLower: string; day: number; uses: number; accounts: number }[]>;
  /** Distinct local accounts that used each tag in public statuses since `since` (the same statuses as tagUseByDay). */
  tagAccounts(since: number): Promise<Map<bigint, number>>;
}
