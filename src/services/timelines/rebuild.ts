import type { ListRecord } from "../../ports/repositories/lists.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { ViewerNetwork } from "../../ports/repositories/timelines.ts";
import { homeKey, listKey, type TimelineDeps } from "./deps.ts";
import { belongsInFeed, type FeedTarget } from "./feed-rules.ts";

/** Candidates read per feed slot: the rules filter some out (replies, boosts, mutes), the feed still fills. */
const CANDIDATES_PER_SLOT = 2;

interface Source {
  readonly viewerId: bigint;
  readonly authors: readonly bigint[];
  readonly network: ViewerNetwork;
  readonly exclusive: ReadonlySet<bigint>;
  readonly feed: (status: StatusRecord) => FeedTarget;
}

/**
 * The newest statuses of `source.authors` that belong in the viewer's feed by the same rules as fan-out
 * (feed-rules.ts), up to the feed cap, newest first. Candidates are read in one query, and everything they
 * refer to (mentions, boosted statuses and their authors) in one query each.
 */
async function collect(deps: TimelineDeps, source: Source): Promise<bigint[]> {
  const repos = deps.db.repos;
  const { network, viewerId } = source;
  const cap = deps.feeds.cap;
  const kept: bigint[] = [];
  const candidates = await repos.statuses.findByIds(await repos.timelines.statusIdsBy(source.authors, undefined, cap * CANDIDATES_PER_SLOT));
  // Oldest first, so "an earlier boost of the same status" is known when a later one comes.
  candidates.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const boostedIds = [...new Set(candidates.map((s) => s.reblogOfId).filter((id): id is bigint => id !== null))];
  const boosted = new Map((await repos.statuses.findByIds(boostedIds)).map((s) => [s.id, s]));
  const mentions = await repos.statuses.mentionsOf([...candidates.map((s) => s.id), ...boosted.keys()]);
  const accountIds = new Set<bigint>([...candidates.map((s) => s.accountId), ...[...boosted.values()].map((s) => s.accountId)]);
  const accounts = new Map((await repos.accounts.findByIds([...accountIds])).map((a) => [a.id, a]));
  const boostedSeen = new Set<bigint>();
  for (const status of candidates) {
    const original = status.reblogOfId === null ? null : (boosted.get(status.reblogOfId) ?? null);
    if (status.reblogOfId !== null && !original) continue;
    const author = accounts.get(status.accountId);
    const originalAuthor = original ? accounts.get(original.accountId) : undefined;
    if (!author || (original && !originalAuthor)) continue;
    const own = mentions.get(status.id) ?? [];
    const involved = [status.accountId, ...own, ...(original ? [original.accountId, ...(mentions.get(original.id) ?? [])] : [])];
    const domains = [author.domain, originalAuthor?.domain].filter((d): d is string => !!d);
    const excluded =
      involved.some((id) => network.blockedOrMuted.has(id)) ||
      network.blockedBy.has(status.accountId) ||
      (original !== null && network.blockedBy.has(original.accountId)) ||
      domains.some((d) => network.domains.has(d.toLowerCase()));
    const alreadyHasBoosted = original !== null && (network.following.has(original.accountId) || boostedSeen.has(original.id));
    if (original && status.accountId !== viewerId && network.following.has(status.accountId)) boostedSeen.add(original.id);
    const facts = {
      receiverId: viewerId,
      follow: status.accountId === viewerId ? null : (network.following.get(status.accountId) ?? null),
      excluded,
      mentioned: own.includes(viewerId),
      followsReplyTarget: status.inReplyToAccountId !== null && network.following.has(status.inReplyToAccountId),
      authorInExclusiveList: source.exclusive.has(status.accountId),
      alreadyHasBoosted,
    };
    if (belongsInFeed(status, original?.accountId ?? null, facts, source.feed(status))) kept.push(status.id);
  }
  return kept.reverse().slice(0, cap);
}

/**
 * Rebuilds an account's home feed from the database after a miss (flushed cache, new Redis, restart): the
 * newest statuses of followed accounts and its own (direct ones where it is mentioned), by fan-out's rules,
 * and those of followed hashtags. Feeds.replace keeps the newest `cap` of them.
 */
export async function rebuildHome(deps: TimelineDeps, viewerId: bigint): Promise<void> {
  const [network, exclusive] = await Promise.all([
    deps.db.repos.timelines.viewerNetwork(viewerId, deps.clock.now()),
    deps.db.repos.lists.exclusiveMembers(viewerId),
  ]);
  const authors = [viewerId, ...network.following.keys()];
  const [ids, tagged] = await Promise.all([
    collect(deps, { viewerId, authors, network, exclusive, feed: () => ({ kind: "home" }) }),
    followedTagStatusIds(deps, viewerId),
  ]);
  await deps.feeds.replace(homeKey(viewerId), [...ids, ...tagged]);
}

/** Followed hashtags a rebuild reads (Mastodon lets an account follow a hundred or so). */
const FOLLOWED_TAGS_READ = 200;

/**
 * The newest public statuses with a hashtag the viewer follows, which the tags' fan-out (services/tags/
 * tag-feeds.ts) put into the home feed: a rebuild must bring them back too. Blocks, mutes and domain blocks
 * are left out by the tag timeline query.
 */
async function followedTagStatusIds(deps: TimelineDeps, viewerId: bigint): Promise<bigint[]> {
  const tags = deps.db.repos.tags;
  const followed = await tags.listFollowed(viewerId, { limit: FOLLOWED_TAGS_READ });
  if (followed.length === 0) return [];
  const statuses = await tags.timeline({
    anyOf: followed.map((f) => f.tag.id), allOf: [], noneOf: [], viewerId, now: deps.clock.now(), limit: deps.feeds.cap,
  });
  return statuses.filter((s) => s.visibility === "public" && s.reblogOfId === null && s.accountId !== viewerId).map((s) => s.id);
}

/** Rebuilds a list's feed from its members' statuses, by fan-out's rules and the list's replies policy. */
export async function rebuildList(deps: TimelineDeps, list: ListRecord): Promise<void> {
  const [network, members] = await Promise.all([
    deps.db.repos.timelines.viewerNetwork(list.accountId, deps.clock.now()),
    deps.db.repos.lists.memberIds(list.id),
  ]);
  const memberSet = new Set(members);
  const ids = await collect(deps, {
    viewerId: list.accountId,
    authors: members,
    network,
    exclusive: new Set(),
    feed: (s) => ({ kind: "list", repliesPolicy: list.repliesPolicy, replyTargetInList: s.inReplyToAccountId !== null && memberSet.has(s.inReplyToAccountId) }),
  });
  await deps.feeds.replace(listKey(list.id), ids);
}
