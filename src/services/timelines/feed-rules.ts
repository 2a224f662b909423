import { canView } from "../../domain/visibility.ts";
import type { RepliesPolicy } from "../../ports/repositories/lists.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";

/**
 * What decides whether one status belongs in one receiver's feed, gathered in batches by fan-out (for many
 * receivers) and by a rebuild (for many statuses): Mastodon's FeedManager#filter_from_home "crutches".
 */
export interface ReceiverFacts {
  readonly receiverId: bigint;
  /** The receiver's follow of the status's author; null when the receiver follows them not (or is the author). */
  readonly follow: { readonly showReblogs: boolean; readonly languages: readonly string[] | null } | null;
  /** The receiver blocks or mutes the author, the boosted author or a mentioned account; or either author blocks the receiver; or their domain is blocked. */
  readonly excluded: boolean;
  readonly mentioned: boolean;
  /** The receiver follows the account the status replies to. */
  readonly followsReplyTarget: boolean;
  /** The author is in one of the receiver's exclusive lists (home feeds only). */
  readonly authorInExclusiveList: boolean;
  /** For a boost: the receiver's home already holds the boosted status (its original or an earlier boost). */
  readonly alreadyHasBoosted: boolean;
}

/** The feed a status is considered for. */
export type FeedTarget =
  | { readonly kind: "home" }
  | { readonly kind: "list"; readonly repliesPolicy: RepliesPolicy; readonly replyTargetInList: boolean };

/**
 * Whether `status` (with the boosted status's author for a boost) goes into a feed of `r.receiverId`.
 * Mastodon's rules: one's own statuses always reach one's home; others' only through a follow, within the
 * visibility policy (direct only to mentioned followers), never past a block or mute, not in the follow's
 * unwanted languages; a reply only when the receiver also follows the replied-to account (or it is a reply to
 * the receiver, or a self-reply); a boost only when the follow shows boosts and the receiver has no copy yet
 * and did not write it. Exclusive lists take their members' statuses out of home; lists follow their replies
 * policy and never hold direct statuses.
 */
export function belongsInFeed(status: StatusRecord, boostedAuthorId: bigint | null, r: ReceiverFacts, feed: FeedTarget): boolean {
  const own = status.accountId === r.receiverId;
  if (feed.kind === "home" && own) return true;
  if (feed.kind === "list" && status.visibility === "direct") return false;
  if (!own) {
    if (r.follow === null) return false;
    const facts = { isAuthor: false, followsAuthor: true, mentioned: r.mentioned, blockedByAuthor: false, blocksAuthor: false, domainBlocksAuthor: false };
    if (!canView(status.visibility, facts, "feed")) return false;
    if (r.excluded) return false;
  }
  if (feed.kind === "home" && r.authorInExclusiveList) return false;
  const languages = r.follow?.languages ?? null;
  if (status.reblogOfId === null && languages && status.language && !languages.includes(status.language)) return false;
  if (status.inReplyToId !== null) {
    const target = status.inReplyToAccountId;
    if (target === null) return false;
    const toOther = target !== status.accountId;
    if (toOther && feed.kind === "list" && target !== r.receiverId) {
      if (feed.repliesPolicy === "none") return false;
      if (feed.repliesPolicy === "list" && !feed.replyTargetInList) return false;
    }
    return !toOther || target === r.receiverId || r.followsReplyTarget;
  }
  if (status.reblogOfId !== null) {
    if (r.follow !== null && !r.follow.showReblogs) return false;
    if (boostedAuthorId === r.receiverId || r.alreadyHasBoosted) return false;
  }
  return true;
}
