import type { Context } from "hono";
import type { ViewContext } from "../../../domain/visibility.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { MediaRecord } from "../../../ports/repositories/media.ts";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../../ports/repositories/tags.ts";
import type { ViewerState } from "../../../ports/repositories/interactions.ts";
import { cachedAccountRecords } from "../../../services/accounts/account-cache.ts";
import { customEmojiTable } from "../../../services/emojis/custom-emojis.ts";
import type { PageViewerState } from "../../../services/timelines/read-timelines.ts";
import { applyFilters, type FilterContext } from "../../../services/filters/apply-filters.ts";
import type { StatusDeps, StatusError } from "../../../services/statuses/deps.ts";
import type { StoredStatus } from "../../../services/statuses/post-status.ts";
import { visibleAmong } from "../../../services/statuses/status-visibility.ts";
import { HttpError } from "../../errors.ts";
import { movedTargets } from "./account-helpers.ts";
import { loadPolls } from "./poll-helpers.ts";
import { statusEmojiEntities } from "./emoji-helpers.ts";
import type { ApiDeps } from "../context.ts";
import { setPageLinks } from "../pagination.ts";
import { refuse } from "../refusals.ts";
import { cachedApplications, cachedStatics, rememberStatics, type StatusStatics } from "../status-statics.ts";
import { renderStatus, type StatusBundle, type StatusRenderContext } from "../serializers/status.ts";
import { statusListJson } from "../serializers/status-json.ts";

/** Status services' dependencies from the API's. */
export function statusDeps(deps: ApiDeps): StatusDeps {
  return {
    db: deps.db, cache: deps.cache, clock: deps.clock, localDomain: deps.instance.localDomain, maxStatusChars: deps.instance.maxStatusChars,
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
  };
}

// One per instance's dependencies: kept renderings (status-json.ts) are only used with the context they were made in.
const contexts = new WeakMap<ApiDeps, StatusRenderContext>();

/** Rendering settings for status entities, the same object for the same dependencies. */
export function statusContext(deps: ApiDeps): StatusRenderContext {
  let ctx = contexts.get(deps);
  if (ctx === undefined) {
    ctx = { baseUrl: deps.instance.baseUrl, mediaUrl: (key) => deps.media.url(key), localDomain: deps.instance.localDomain };
    contexts.set(deps, ctx);
  }
  return ctx;
}

/** Turns a refused status change into Mastodon's status and message. */
export const statusFailure: (error: StatusError) => never = refuse;

/**
 * Loads what a page of statuses refers to: the statuses its boosts boost (kept only where the viewer may see
 * them), authors, mentions, applications, and the viewer's favourites, boosts, bookmarks, pins and muted
 * conversations (one query, or none for the statuses `knownState` covers: a feed page reads them with the
 * viewer's standing). `context` is where the statuses are shown: "feed" for lists, "direct" for one status
 * asked for by id. `knownAccounts`: accounts the caller holds as they are to be shown, not looked up.
 */
export async function loadBundle(
  deps: ApiDeps,
  statuses: readonly StatusRecord[],
  viewerId: bigint | null,
  context: ViewContext = "feed",
  knownState?: PageViewerState,
  knownAccounts?: ReadonlyMap<bigint, AccountRecord>,
): Promise<StatusBundle> {
  const repos = deps.db.repos;
  const originalIds = [...new Set(statuses.map((s) => s.reblogOfId).filter((id): id is bigint => id !== null))];
  const originals = originalIds.length === 0 ? [] : await repos.statuses.findByIds(originalIds);
  const all = originals.length === 0 ? statuses : [...statuses, ...originals];
  const appIds = [...new Set(all.map((s) => s.applicationId).filter((id): id is bigint => id !== null))];
  // Mentions, tags, attachments and whether there is a poll come from memory for statuses seen before at this
  // version (status-statics.ts); only the others are asked for.
  // By record, not id: an object's hash is kept with it, a bigint's is computed on every lookup.
  const known = new Map<StatusRecord, StatusStatics>();
  for (const s of all) {
    const hit = cachedStatics(s);
    if (hit) known.set(s, hit);
  }
  const unknown = known.size === 0 ? all : all.filter((s) => !known.has(s));
  const unknownIds = unknown.map((s) => s.id);
  const pollIds = all.filter((s) => known.get(s)?.hasPoll ?? true).map((s) => s.id);
  const [fetchedMentions, applications, state, fetchedTags, polls, fetchedMedia] = await Promise.all([
    unknownIds.length === 0 ? Promise.resolve(new Map<bigint, bigint[]>()) : repos.statuses.mentionsOf(unknownIds),
    cachedApplications(appIds, (missing) => repos.statuses.applicationsOf(missing)),
    viewerId === null ? Promise.resolve(null) : stateOf(deps, viewerId, all, knownState),
    unknownIds.length === 0 ? Promise.resolve(new Map<bigint, TagRecord[]>()) : repos.tags.tagsOf(unknownIds),
    loadPolls(repos, pollIds, viewerId, deps.clock.now()),
    unknown.length === 0 ? Promise.resolve(new Map<bigint, MediaRecord[]>()) : repos.media.forStatuses(unknown),
  ]);
  const mentions = new Map<bigint, readonly bigint[]>();
  const tags = new Map<bigint, readonly TagRecord[]>();
  const media = new Map<bigint, readonly MediaRecord[]>();
  for (const s of all) {
    let entry = known.get(s);
    if (!entry) {
      entry = {
        mentions: fetchedMentions.get(s.id) ?? [],
        tags: fetchedTags.get(s.id) ?? [],
        media: fetchedMedia.get(s.id) ?? [],
        hasPoll: polls.byStatus.has(s.id),
      };
      rememberStatics(s, entry);
    }
    if (entry.mentions.length > 0) mentions.set(s.id, entry.mentions);
    if (entry.tags.length > 0) tags.set(s.id, entry.tags);
    if (entry.media.length > 0) media.set(s.id, entry.media);
  }
  const accountIds = new Set<bigint>(all.map((s) => s.accountId));
  for (const list of mentions.values()) for (const id of list) accountIds.add(id);
  // The emoji table is read alongside the authors, so the two cache reads can travel together.
  const table = customEmojiTable(deps);
  const lookUp = knownAccounts ? [...accountIds].filter((id) => !knownAccounts.has(id)) : [...accountIds];
  const [looked] = await Promise.all([
    lookUp.length === 0 ? new Map<bigint, AccountRecord>() : cachedAccountRecords(deps.cache, lookUp, (missing) => repos.accounts.findByIds(missing)),
    table,
  ]);
  const accounts = knownAccounts ? new Map([...looked, ...[...knownAccounts].filter(([id]) => accountIds.has(id))]) : looked;
  // As Mastodon's AccountStatusesFilter and FeedManager: no boosts of accounts the viewer blocks, mutes or is
  // blocked by in lists; a boost asked for by id shows its original unless the viewer may not see it at all.
  // The accounts authors moved to (their `moved`) load alongside; a page where nobody moved costs nothing more.
  const [shown, movedTo] = await Promise.all([
    originals.length === 0
      ? []
      : visibleAmong(deps, viewerId, originals, { context, hideMuted: context === "feed" }, { authors: accounts, mentions }),
    movedTargets(deps, all.map((s) => accounts.get(s.accountId))),
  ]);
  const shownAccounts = movedTo.size === 0 ? [...accounts.values()] : [...accounts.values(), ...movedTo.values()];
  return {
    accounts, mentions, applications, viewerId, tags, polls, media,
    ...(movedTo.size === 0 ? {} : { movedTo }),
    emojis: await statusEmojiEntities(deps, all, accounts, shownAccounts, polls, table),
    pinned: state?.pinned ?? NONE,
    reblogs: new Map(shown.map((s) => [s.id, s])),
    favourited: state?.favourited ?? NONE,
    bookmarked: state?.bookmarked ?? NONE,
    reblogged: state?.reblogged ?? NONE,
    mutedConversations: state?.mutedConversations ?? NONE,
  };
}

const NONE: ReadonlySet<bigint> = new Set();

/** What a caller holds of a status it renders, so that rendering need not ask for it. */
export interface KnownRendering {
  /** The viewer's state of the status. */
  readonly state?: PageViewerState;
  /** Accounts as they are to be shown. */
  readonly accounts?: ReadonlyMap<bigint, AccountRecord>;
}

/**
 * Readies the rendering of a status its author just posted from what the posting transaction stored, so that it
 * is not read back: its statics (when it has no attachments, whose processing state the renderer reads); the
 * author with the counts the post left; and, for a status that starts a thread, the author's state of it,
 * which is empty: nobody can have favourited, boosted, bookmarked or pinned it yet, nor muted a conversation
 * that did not exist. A reply's conversation may be muted, so its state is asked for.
 */
export function justPosted(stored: StoredStatus, authorId: bigint): KnownRendering {
  const { status } = stored;
  if (status.mediaAttachmentIds === null) rememberStatics(status, { mentions: stored.mentions, tags: stored.tags, hasPoll: stored.hasPoll, media: [] });
  const accounts = stored.author?.id === status.accountId ? new Map([[stored.author.id, stored.author]]) : undefined;
  const fresh = status.inReplyToId === null && status.accountId === authorId;
  return {
    ...(accounts ? { accounts } : {}),
    ...(fresh ? { state: { viewerId: authorId, statusIds: new Set([status.id]), state: { favourited: NONE, bookmarked: NONE, reblogged: NONE, pinned: NONE, mutedConversations: NONE } } } : {}),
  };
}

const conversationsOf = (statuses: readonly StatusRecord[]) => [...new Set(statuses.map((s) => s.conversationId).filter((id): id is bigint => id !== null))];

/** The viewer's state of `statuses`: from `known` where it covers them, one query for the rest (if any). */
async function stateOf(deps: ApiDeps, viewerId: bigint, statuses: readonly StatusRecord[], known: PageViewerState | undefined): Promise<ViewerState> {
  const repos = deps.db.repos;
  if (!known || known.viewerId !== viewerId) return repos.interactions.viewerState(viewerId, statuses.map((s) => s.id), conversationsOf(statuses));
  const rest = statuses.filter((s) => !known.statusIds.has(s.id));
  if (rest.length === 0) return known.state;
  const more = await repos.interactions.viewerState(viewerId, rest.map((s) => s.id), conversationsOf(rest));
  const union = (a: ReadonlySet<bigint>, b: ReadonlySet<bigint>) => (b.size === 0 ? a : new Set([...a, ...b]));
  return {
    favourited: union(known.state.favourited, more.favourited),
    bookmarked: union(known.state.bookmarked, more.bookmarked),
    reblogged: union(known.state.reblogged, more.reblogged),
    pinned: union(known.state.pinned, more.pinned),
    mutedConversations: union(known.state.mutedConversations, more.mutedConversations),
  };
}

/** One status as JSON, for `viewerId`; `known`: what the caller holds of it (a status just posted). */
export async function statusJson(
  deps: ApiDeps,
  status: StatusRecord,
  viewerId: bigint | null,
  withSource = false,
  known: KnownRendering = {},
): Promise<Record<string, unknown>> {
  const bundle = await loadBundle(deps, [status], viewerId, "direct", known.state, known.accounts);
  const rendered = renderStatus(statusContext(deps), status, bundle, withSource);
  if (!rendered) throw new HttpError(404, "Record not found");
  return rendered;
}

/**
 * A page of statuses (newest first) with its Link header, paged by the statuses' ids unless `pageKeys` says
 * otherwise (favourites and bookmarks page by their rows). The viewer's filters for `context` apply: `hide`
 * leaves a status out (the links still page over it, as Mastodon's do), `warn` and `blur` fill `filtered`.
 * `knownState` is the viewer's state read with a feed page, which the renderer then need not ask for.
 */
export async function statusPageResponse(
  c: Context,
  deps: ApiDeps,
  statuses: readonly StatusRecord[],
  viewerId: bigint | null,
  context: FilterContext,
  pageKeys?: { newest: bigint; oldest: bigint } | null,
  knownState?: PageViewerState,
): Promise<Response> {
  const keys = pageKeys ?? (statuses.length > 0 ? { newest: statuses[0].id, oldest: statuses[statuses.length - 1].id } : null);
  setPageLinks(c, deps.instance.baseUrl, keys);
  const { shown, bundle } = await pageBundle(deps, statuses, viewerId, context, knownState);
  return c.body(statusListJson(statusContext(deps), shown, bundle), 200, { "content-type": "application/json" });
}

/**
 * Statuses as JSON for `viewerId`, in order, with the viewer's filters for `context` applied (`hide` leaves a
 * status out). Boosts of statuses the viewer may not see are left out. Every list of statuses renders here.
 */
export async function renderStatusList(
  deps: ApiDeps,
  statuses: readonly StatusRecord[],
  viewerId: bigint | null,
  context: FilterContext,
  knownState?: PageViewerState,
): Promise<Record<string, unknown>[]> {
  const { shown, bundle } = await pageBundle(deps, statuses, viewerId, context, knownState);
  const ctx = statusContext(deps);
  return shown.map((s) => renderStatus(ctx, s, bundle)).filter((s) => s !== null);
}

/** The statuses a list shows (those `hide` filters leave) and the bundle that renders them, with filter results. */
async function pageBundle(
  deps: ApiDeps,
  statuses: readonly StatusRecord[],
  viewerId: bigint | null,
  context: FilterContext,
  knownState?: PageViewerState,
): Promise<{ shown: readonly StatusRecord[]; bundle: StatusBundle }> {
  // The filters and the bundle load side by side, so their cache reads share a round trip; the bundle covers
  // statuses a filter then hides, which costs less than a round trip.
  const [verdicts, loaded] = await Promise.all([applyFilters(deps, viewerId, context, statuses), loadBundle(deps, statuses, viewerId, "feed", knownState)]);
  const shown = verdicts.hidden.size === 0 ? statuses : statuses.filter((s) => !verdicts.hidden.has(s.id));
  return { shown, bundle: { ...loaded, filtered: verdicts.filtered } };
}
