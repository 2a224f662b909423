import { canView } from "../../domain/visibility.ts";
import type { IdRange } from "../../ports/feeds.ts";
import type { ViewerState } from "../../ports/repositories/interactions.ts";
import type { ListRecord } from "../../ports/repositories/lists.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { chosenLanguagesOf, type ChosenLanguagesDeps } from "./chosen-languages.ts";
import { homeKey, listKey, type TimelineDeps } from "./deps.ts";
import { rebuildHome, rebuildList } from "./rebuild.ts";

/**
 * A viewer's favourites, boosts, bookmarks, pins and muted conversations among `statusIds`, read along with a
 * page so the renderer need not ask again (it asks only for statuses outside the set, such as boosted ones).
 */
export interface PageViewerState {
  readonly viewerId: bigint;
  readonly statusIds: ReadonlySet<bigint>;
  readonly state: ViewerState;
}

/** Mastodon's paging parameters over ids. */
export interface TimelinePage {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

function rangeOf(page: TimelinePage): IdRange {
  if (page.minId !== undefined) return { maxId: page.maxId, minId: page.minId, fromOldest: true };
  return { maxId: page.maxId, minId: page.sinceId };
}

/** Statuses by id, in the order of `ids`, leaving out those gone. */
async function inOrder(deps: TimelineDeps, ids: readonly bigint[]): Promise<StatusRecord[]> {
  if (ids.length === 0) return [];
  const byId = new Map((await deps.db.repos.statuses.findByIds(ids)).map((s) => [s.id, s]));
  return ids.map((id) => byId.get(id)).filter((s): s is StatusRecord => s !== undefined);
}

/**
 * What the viewer may still see of a page read from a feed. Fan-out judged when the status arrived; since
 * then the viewer may have blocked or muted someone, been blocked, or stopped following a private author. One
 * query for the page's authors (and one for mentions only when a private or direct status needs it); each
 * status then goes through the visibility policy. A boost's original is checked by the renderer's bundle
 * (status-helpers.ts loadBundle), which drops boosts of what the viewer may not see. The same query reads the
 * viewer's state of the page's statuses, which the renderer would otherwise ask for next.
 */
async function stillVisible(
  deps: TimelineDeps,
  viewerId: bigint,
  statuses: readonly StatusRecord[],
): Promise<{ statuses: StatusRecord[]; state?: PageViewerState }> {
  if (statuses.length === 0) return { statuses: [] };
  const repos = deps.db.repos;
  const authorIds = [...new Set(statuses.map((s) => s.accountId))].filter((id) => id !== viewerId);
  const statusIds = statuses.map((s) => s.id);
  const conversationIds = [...new Set(statuses.map((s) => s.conversationId).filter((id): id is bigint => id !== null))];
  const standing = await repos.timelines.viewerStanding(viewerId, authorIds, deps.clock.now(), { statusIds, conversationIds });
  const needMentions = statuses.filter(
    (s) => s.accountId !== viewerId && (s.visibility === "direct" || (s.visibility === "private" && !standing.following.has(s.accountId))),
  );
  const mentions = needMentions.length === 0 ? new Map<bigint, bigint[]>() : await repos.statuses.mentionsOf(needMentions.map((s) => s.id));
  const shown = statuses.filter((s) => {
    if (s.accountId === viewerId) return true;
    if (standing.hidden.has(s.accountId)) return false;
    const facts = {
      isAuthor: false,
      followsAuthor: standing.following.has(s.accountId),
      mentioned: (mentions.get(s.id) ?? []).includes(viewerId),
      blockedByAuthor: false,
      blocksAuthor: false,
      domainBlocksAuthor: false,
    };
    return canView(s.visibility, facts, "feed");
  });
  return { statuses: shown, ...(standing.state ? { state: { viewerId, statusIds: new Set(statusIds), state: standing.state } } : {}) };
}

async function readFeed(deps: TimelineDeps, key: string, page: TimelinePage, rebuild: () => Promise<void>): Promise<bigint[]> {
  const range = rangeOf(page);
  const ids = await deps.feeds.page(key, range, page.limit);
  if (ids !== null) return ids;
  await rebuild();
  return (await deps.feeds.page(key, range, page.limit)) ?? [];
}

/** A page read from a feed: the statuses shown, and the ids the page spans (the Link header's keys). */
export interface FeedPage {
  readonly statuses: StatusRecord[];
  /** The viewer's state of (at least) these statuses, read with the page. */
  readonly state?: PageViewerState;
  /** From the feed, not from what is shown: a page whose statuses were all left out still links onwards. */
  readonly keys: { readonly newest: bigint; readonly oldest: bigint } | null;
}

async function feedPage(deps: TimelineDeps, viewerId: bigint, ids: readonly bigint[]): Promise<FeedPage> {
  const { statuses, state } = await stillVisible(deps, viewerId, await inOrder(deps, ids));
  return { statuses, ...(state ? { state } : {}), keys: ids.length > 0 ? { newest: ids[0], oldest: ids[ids.length - 1] } : null };
}

/**
 * A page of the viewer's home timeline, newest first. A missing feed is rebuilt from the database first, so a
 * lost cache answers the same page as before; what the viewer may no longer see is left out.
 */
export async function homeTimeline(deps: TimelineDeps, viewerId: bigint, page: TimelinePage): Promise<FeedPage> {
  return feedPage(deps, viewerId, await readFeed(deps, homeKey(viewerId), page, () => rebuildHome(deps, viewerId)));
}

/** A page of one of the owner's lists, as homeTimeline (rebuilt from the members' statuses on a miss). */
export async function listTimeline(deps: TimelineDeps, list: ListRecord, page: TimelinePage): Promise<FeedPage> {
  return feedPage(deps, list.accountId, await readFeed(deps, listKey(list.id), page, () => rebuildList(deps, list)));
}

export interface PublicTimelineOptions extends TimelinePage {
  /** Only local statuses (true), only remote ones (false), or all (undefined). */
  readonly local?: boolean;
  readonly onlyMedia?: boolean;
}

/**
 * A page of the public timeline: public statuses that are not boosts or replies to others, by authors who are
 * not suspended or silenced; for a signed-in viewer, not by accounts they block, mute or domain-block, nor by
 * those who block them, and only in the languages they chose (statuses without a language always). Read
 * straight from the database (its partial index), for anyone.
 */
export async function publicTimeline(
  deps: TimelineDeps & ChosenLanguagesDeps,
  viewerId: bigint | null,
  options: PublicTimelineOptions,
): Promise<StatusRecord[]> {
  const languages = viewerId === null ? null : await chosenLanguagesOf(deps, viewerId);
  const ids = await deps.db.repos.timelines.publicTimeline({ ...options, viewerId, languages, now: deps.clock.now() });
  return inOrder(deps, ids);
}
