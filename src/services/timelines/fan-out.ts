import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { ListHolding } from "../../ports/repositories/lists.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { FeedFollower } from "../../ports/repositories/timelines.ts";
import { recordDirectStatus, withdrawDirectStatus } from "./conversations.ts";
import { homeKey, listKey, type TimelineDeps } from "./deps.ts";
import { belongsInFeed, type FeedTarget, type ReceiverFacts } from "./feed-rules.ts";

/** Followers read and judged per round: one query per fact and one Feeds.push per batch. */
export const FAN_OUT_BATCH = 1_000;

/** A status about to be fanned out, with what the rules look at besides the status itself. */
interface Subject {
  readonly status: StatusRecord;
  readonly author: AccountRecord;
  readonly boosted: StatusRecord | null;
  readonly boostedAuthor: AccountRecord | null;
  /** Accounts mentioned by the status and by the boosted status. */
  readonly mentioned: readonly bigint[];
  readonly mentionedByStatus: ReadonlySet<bigint>;
}

function available(a: AccountRecord | undefined | null): a is AccountRecord {
  return !!a && a.suspendedAt === null && (a.user === null || (a.user.confirmed && a.user.approved));
}

async function subjectOf(deps: TimelineDeps, statusId: bigint): Promise<Subject | null> {
  const repos = deps.db.repos;
  const status = await repos.statuses.findById(statusId);
  if (!status) return null;
  const boosted = status.reblogOfId === null ? null : await repos.statuses.findById(status.reblogOfId);
  if (status.reblogOfId !== null && !boosted) return null;
  const accounts = await repos.accounts.findByIds(boosted ? [status.accountId, boosted.accountId] : [status.accountId]);
  const author = accounts.find((a) => a.id === status.accountId);
  const boostedAuthor = boosted ? (accounts.find((a) => a.id === boosted.accountId) ?? null) : null;
  if (!available(author) || (boosted && !available(boostedAuthor))) return null;
  const mentions = await repos.statuses.mentionsOf(boosted ? [status.id, boosted.id] : [status.id]);
  const byStatus = new Set(mentions.get(status.id) ?? []);
  const mentioned = [...new Set([...byStatus, ...(boosted ? (mentions.get(boosted.id) ?? []) : [])])];
  return { status, author, boosted, boostedAuthor, mentioned, mentionedByStatus: byStatus };
}

function createdSubject(c: { readonly status: StatusRecord; readonly author: AccountRecord; readonly mentioned: readonly bigint[] }): Subject | null {
  if (!available(c.author)) return null;
  const mentioned = [...new Set(c.mentioned)];
  return { status: c.status, author: c.author, boosted: null, boostedAuthor: null, mentioned, mentionedByStatus: new Set(mentioned) };
}

/** The rule facts for a batch of receivers, each fact one query for the whole batch. */
async function factsFor(
  deps: TimelineDeps,
  s: Subject,
  follows: ReadonlyMap<bigint, FeedFollower>,
  receiverIds: readonly bigint[],
  exclusiveOwners: ReadonlySet<bigint>,
): Promise<ReceiverFacts[]> {
  const t = deps.db.repos.timelines;
  const { status, author, boosted, boostedAuthor } = s;
  const authors = boostedAuthor ? [author.id, boostedAuthor.id] : [author.id];
  const domains = [author.domain, boostedAuthor?.domain].filter((d): d is string => !!d);
  const replyTarget = status.inReplyToId !== null && status.inReplyToAccountId !== null && status.inReplyToAccountId !== author.id ? status.inReplyToAccountId : null;
  const [excluded, followsTarget, hasOriginal, boostedEarlier] = await Promise.all([
    t.excludedAmong(receiverIds, { blockedOrMuted: [...authors, ...s.mentioned], blockers: authors, domains, now: deps.clock.now() }),
    replyTarget === null ? Promise.resolve(new Set<bigint>()) : t.followingAnyAmong(receiverIds, [replyTarget]),
    boosted ? t.followingAnyAmong(receiverIds, [boosted.accountId]) : Promise.resolve(new Set<bigint>()),
    boosted ? t.boostedEarlierForAmong(receiverIds, boosted.id, status.id, author.id) : Promise.resolve(new Set<bigint>()),
  ]);
  return receiverIds.map((id) => ({
    receiverId: id,
    follow: follows.get(id) ?? null,
    excluded: excluded.has(id),
    mentioned: s.mentionedByStatus.has(id),
    followsReplyTarget: followsTarget.has(id),
    authorInExclusiveList: exclusiveOwners.has(id),
    alreadyHasBoosted: hasOriginal.has(id) || boostedEarlier.has(id),
  }));
}

async function pushHomes(
  deps: TimelineDeps,
  s: Subject,
  followers: readonly FeedFollower[],
  includeAuthor: boolean,
  exclusiveOwners: ReadonlySet<bigint>,
): Promise<bigint[]> {
  const follows = new Map(followers.map((f) => [f.accountId, f]));
  const ids = followers.map((f) => f.accountId);
  if (includeAuthor) ids.push(s.author.id);
  const facts = await factsFor(deps, s, follows, ids, exclusiveOwners);
  const receivers = facts.filter((r) => belongsInFeed(s.status, s.boostedAuthor?.id ?? null, r, { kind: "home" })).map((r) => r.receiverId);
  // Missing feeds are left missing: the next read rebuilds them from the database, where the status already is.
  if (receivers.length > 0) await deps.feeds.push(receivers.map(homeKey), s.status.id);
  return receivers;
}

async function pushLists(deps: TimelineDeps, s: Subject, holdings: readonly ListHolding[]): Promise<bigint[]> {
  if (holdings.length === 0) return [];
  const { status, author } = s;
  const owners = [...new Set(holdings.map((h) => h.ownerId))];
  const replyTarget = status.inReplyToAccountId;
  const [follows, targetLists] = await Promise.all([
    deps.db.repos.timelines.followOptionsAmong(owners, author.id),
    replyTarget === null ? Promise.resolve([]) : deps.db.repos.lists.holdingsOf(replyTarget),
  ]);
  const listsWithTarget = new Set(targetLists.map((h) => h.listId));
  // The exclusive rule is for home feeds only.
  const facts = new Map((await factsFor(deps, s, follows, owners, new Set())).map((r) => [r.receiverId, r]));
  const lists = holdings
    .filter((h) => {
      const feed: FeedTarget = { kind: "list", repliesPolicy: h.repliesPolicy, replyTargetInList: listsWithTarget.has(h.listId) };
      return belongsInFeed(status, s.boostedAuthor?.id ?? null, facts.get(h.ownerId)!, feed);
    })
    .map((h) => h.listId);
  if (lists.length > 0) await deps.feeds.push(lists.map(listKey), status.id);
  return lists;
}

/** Where fan-out put a status: what the job publishes streaming events to. */
export interface FanOutResult {
  readonly status: StatusRecord;
  readonly author: AccountRecord;
  /** Accounts whose home feed got the status. */
  readonly homes: readonly bigint[];
  /** Lists whose feed got the status. */
  readonly lists: readonly bigint[];
  /** Accounts the status mentions (a direct status's other participants). */
  readonly mentioned: readonly bigint[];
  /** Whether any local follower of the author asked to be notified of every post (then bells are to ring). */
  readonly bellFollowers: boolean;
}

/**
 * Puts a new status or boost into the home feed of its author and of each local follower who should see it
 * (feed-rules.ts), and into the feeds of the lists that hold its author. Followers are read in batches of
 * FAN_OUT_BATCH: a few queries and one Feeds.push per batch. A direct status also updates its participants'
 * conversations. Idempotent (feeds are sets); a status gone meanwhile is skipped. `created`: a new status (not a
 * boost) as the transaction that created it left it, spared reading it back.
 */
export async function fanOutStatus(
  deps: TimelineDeps,
  statusId: bigint,
  created?: { readonly status: StatusRecord; readonly author: AccountRecord; readonly mentioned: readonly bigint[] },
): Promise<FanOutResult | null> {
  const s = created && created.status.id === statusId && created.status.reblogOfId === null ? createdSubject(created) : await subjectOf(deps, statusId);
  if (!s) return null;
  const homes: bigint[] = [];
  const local = s.author.domain === null;
  const audience = await deps.db.repos.timelines.firstAudience(s.author.id, FAN_OUT_BATCH);
  // Owners of an exclusive list holding the author keep its posts out of their home feeds: the lists read with
  // the first followers say who they are, for every batch.
  const exclusiveOwners = new Set(audience.holdings.filter((h) => h.exclusive).map((h) => h.ownerId));
  let batch = audience.followers;
  let first = true;
  let bellFollowers = false;
  for (;;) {
    bellFollowers ||= batch.some((f) => f.notify === true);
    if (batch.length > 0 || first) homes.push(...(await pushHomes(deps, s, batch, first && local, exclusiveOwners)));
    first = false;
    if (batch.length < FAN_OUT_BATCH) break;
    batch = await deps.db.repos.timelines.localFollowers(s.author.id, batch[batch.length - 1].followId, FAN_OUT_BATCH);
  }
  const lists = await pushLists(deps, s, audience.holdings);
  if (s.status.visibility === "direct" && s.status.reblogOfId === null) await recordDirectStatus(deps, s.status, [...s.mentionedByStatus]);
  return { status: s.status, author: s.author, homes, lists, mentioned: [...s.mentionedByStatus], bellFollowers };
}

/** The feeds a deleted status was taken out of: what the job publishes `delete` to. */
export interface RemovalResult {
  readonly status: { readonly id: bigint; readonly accountId: bigint; readonly reblogOfId: bigint | null; readonly visibility: string };
  readonly homes: readonly bigint[];
  readonly lists: readonly bigint[];
  readonly mentioned: readonly bigint[];
}

/**
 * Takes a deleted status (or undone boost) out of every feed it may be in: its author's home, every local
 * follower's, mentioned accounts', and the lists that hold its author; and out of direct conversations. Feeds
 * that never had it are unaffected, so the job is idempotent.
 */
export async function removeFromFeeds(deps: TimelineDeps, statusId: bigint): Promise<RemovalResult | null> {
  const repos = deps.db.repos;
  const status = await repos.timelines.findEvenDeleted(statusId);
  if (!status) return null;
  const mentions = await repos.statuses.mentionsOf([status.id]);
  const mentioned = mentions.get(status.id) ?? [];
  const homes = [status.accountId, ...mentioned];
  await deps.feeds.remove(homes.map(homeKey), status.id);
  const audience = await repos.timelines.firstAudience(status.accountId, FAN_OUT_BATCH);
  for (let batch = audience.followers; ; ) {
    for (const f of batch) homes.push(f.accountId);
    if (batch.length > 0) await deps.feeds.remove(batch.map((f) => homeKey(f.accountId)), status.id);
    if (batch.length < FAN_OUT_BATCH) break;
    batch = await repos.timelines.localFollowers(status.accountId, batch[batch.length - 1].followId, FAN_OUT_BATCH);
  }
  const lists = audience.holdings;
  if (lists.length > 0) await deps.feeds.remove(lists.map((h) => listKey(h.listId)), status.id);
  if (status.visibility === "direct" && status.conversationId !== null) await withdrawDirectStatus(deps, status.conversationId, status.id);
  return { status, homes: [...new Set(homes)], lists: [...new Set(lists.map((h) => h.listId))], mentioned };
}
