// Streaming renders the same entities as the REST API, so it uses the Mastodon serializers and the status
// bundle loader of src/http/mastodon: the one allowed exception to "streaming imports services, domain and ports",
// because these are the same protocol's entity rendering (a second copy would drift from the REST JSON).
import { emojisIn } from "../domain/custom-emoji.ts";
import { canView } from "../domain/visibility.ts";
import type { AccountRecord } from "../ports/repositories/accounts.ts";
import type { StatusRecord } from "../ports/repositories/statuses.ts";
import { customEmojiTable } from "../services/emojis/custom-emojis.ts";
import { chosenLanguagesOf, readsLanguage } from "../services/timelines/chosen-languages.ts";
import { applyFilters, type FilterContext } from "../services/filters/apply-filters.ts";
import { findVisibleStatus } from "../services/statuses/read-statuses.ts";
import { withLastStatuses } from "../services/timelines/conversations.ts";
import type { ApiDeps } from "../http/mastodon/context.ts";
import { renderAccount } from "../http/mastodon/serializers/account.ts";
import { renderAnnouncement } from "../http/mastodon/serializers/content.ts";
import { renderNotification } from "../http/mastodon/serializers/notification.ts";
import { renderStatus, type StatusBundle } from "../http/mastodon/serializers/status.ts";
import { renderContext, withMovedTargets } from "../http/mastodon/v1/account-helpers.ts";
import { loadBundle, renderStatusList, statusContext } from "../http/mastodon/v1/status-helpers.ts";
import type { ChannelKind } from "./streams.ts";

/** One subscriber an event is rendered for. */
export interface Target {
  readonly accountId: bigint;
  readonly kind: ChannelKind;
  readonly filterContext: FilterContext;
}

/** Reads shared by one event's subscribers of the same account. */
interface ViewerMemo {
  readonly languages: Map<bigint, ReturnType<typeof chosenLanguagesOf>>;
  readonly verdicts: Map<string, ReturnType<typeof applyFilters>>;
}

/** A status loaded and rendered once per event, shared by every subscriber it goes to. */
interface Prepared {
  readonly status: StatusRecord;
  readonly author: AccountRecord;
  readonly boosted: StatusRecord | null;
  readonly boostedAuthor: AccountRecord | null;
  /** Accounts the status (and the boosted status) mention. */
  readonly mentioned: ReadonlySet<bigint>;
  /** Rendered for nobody in particular (viewer fields absent), as Mastodon renders for the public streams. */
  readonly bundle: StatusBundle;
  readonly anonymous: Record<string, unknown>;
  readonly anonymousText: string;
  /**
   * A new original that starts its own thread and nobody has favourited or boosted yet: no viewer can have
   * favourited, boosted, pinned or muted it, so home renderings skip the per-viewer state query (a post by an
   * account with ten thousand followers online would otherwise cost ten thousand queries).
   */
  readonly untouched: boolean;
}

const EMPTY_STATE = {
  favourited: new Set<bigint>(),
  bookmarked: new Set<bigint>(),
  reblogged: new Set<bigint>(),
  pinned: new Set<bigint>(),
  mutedConversations: new Set<bigint>(),
};
/** How new a status must be for `untouched` (older ones may have been bookmarked meanwhile). */
const UNTOUCHED_MS = 60_000;

/** Receivers asked about in one exclusion query (fan-out's batch size). */
const EXCLUSION_BATCH = 1_000;
/**
 * Subscriber groups (distinct account, kind and filter context) in flight at once for one event: mostly one
 * cache read of the viewer's filters, so a wide window keeps the cache's round trips few (with 10,000
 * subscribers of distinct accounts, a window of 200 spent ~150 ms waiting on them).
 */
const PARALLEL = 1_000;
/** Exclusion queries (a thousand receivers each) in flight at once, well within the database pool. */
const EXCLUSION_PARALLEL = 4;
/** How long a prepared status is reused by events that arrive together (one post reaches many channels at once). */
const PREPARED_TTL_MS = 2_000;
const PREPARED_MAX = 256;

function available(a: AccountRecord | null | undefined): a is AccountRecord {
  return !!a && a.suspendedAt === null && (a.user === null || (a.user.confirmed && a.user.approved));
}

/** `fn` over `items` with at most `limit` calls in flight (a sliding window: one slow call holds up no batch). */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * Renders streaming events per event, not per connection: a status is loaded and rendered once, then each
 * subscriber is checked with the one visibility policy (canView), blocks and mutes both ways and domain blocks
 * (one query per thousand subscribers, the fan-out's own exclusion query), and its filters (`hide`: not sent;
 * `warn`: `filtered` in the payload). Home and list subscribers get their own favourited/bookmarked/… state,
 * as Mastodon's PushUpdateWorker renders per account; public streams get the shared rendering.
 */
export class EventRenderer {
  readonly #deps: ApiDeps;
  readonly #prepared = new Map<string, { at: number; value: Promise<Prepared | null> }>();

  constructor(deps: ApiDeps) {
    this.#deps = deps;
  }

  /**
   * `update` / `status.update` payloads: decided and rendered once per distinct (account, kind, filter context),
   * however many connections share it (one person's tabs and devices), and handed to `deliver` with that group's
   * items as soon as the group's payload is ready, so the first subscribers are written to while the others'
   * filters are still being read. Groups the status is not for are never delivered.
   */
  async statusPayloads<T>(
    statusId: bigint,
    event: string,
    items: readonly T[],
    targetOf: (item: T) => Target,
    deliver: (items: readonly T[], payload: string) => void,
  ): Promise<void> {
    const p = await this.#prepare(statusId, event);
    if (!p) return;
    const groups = new Map<string, { target: Target; items: T[] }>();
    for (const item of items) {
      const target = targetOf(item);
      const key = `${target.accountId}:${target.kind}:${target.filterContext}`;
      const group = groups.get(key);
      if (group) group.items.push(item);
      else groups.set(key, { target, items: [item] });
    }
    const viewers = [...new Set([...groups.values()].map((g) => g.target.accountId))];
    const excluded = await this.#excluded(p, viewers);
    const followers =
      p.status.visibility === "private" ? await this.#deps.db.repos.timelines.followingAnyAmong(viewers, [p.author.id]) : new Set<bigint>();
    const memo: ViewerMemo = { languages: new Map(), verdicts: new Map() };
    await mapLimit([...groups.values()], PARALLEL, async ({ target, items }) => {
      const payload = await this.#statusPayload(p, target, excluded, followers, memo);
      if (payload !== null) deliver(items, payload);
    });
  }

  async #statusPayload(
    p: Prepared,
    t: Target,
    excluded: ReadonlySet<bigint>,
    followers: ReadonlySet<bigint>,
    memo: ViewerMemo,
  ): Promise<string | null> {
    const viewer = t.accountId;
    const isAuthor = viewer === p.author.id;
    if (!isAuthor && excluded.has(viewer)) return null;
    // Not excluded means no block either way and no domain block (the exclusion query covers all three).
    const facts = {
      isAuthor,
      followsAuthor: followers.has(viewer),
      mentioned: p.mentioned.has(viewer),
      blockedByAuthor: false,
      blocksAuthor: false,
      domainBlocksAuthor: false,
    };
    if (!canView(p.status.visibility, facts, "feed")) return null;
    if (t.kind === "public" && p.status.visibility !== "public") return null;
    // Public and hashtag streams keep to the viewer's chosen languages, as the public timelines do.
    if (t.kind === "public" && p.status.language !== null) {
      let chosen = memo.languages.get(viewer);
      if (!chosen) memo.languages.set(viewer, (chosen = chosenLanguagesOf(this.#deps, viewer)));
      if (!readsLanguage(await chosen, p.status.language)) return null;
    }
    // A viewer's filters are read once per event and context, whatever the kinds of its streams.
    const key = `${viewer}:${t.filterContext}`;
    let pending = memo.verdicts.get(key);
    if (!pending) memo.verdicts.set(key, (pending = applyFilters(this.#deps, viewer, t.filterContext, [p.status])));
    const verdicts = await pending;
    if (verdicts.hidden.has(p.status.id)) return null;
    if (t.kind === "home" || t.kind === "list") {
      const state = p.untouched ? EMPTY_STATE : await this.#viewerState(p, viewer);
      const bundle: StatusBundle = { ...p.bundle, viewerId: viewer, ...state, filtered: verdicts.filtered };
      const json = renderStatus(statusContext(this.#deps), p.status, bundle);
      return json ? JSON.stringify(json) : null;
    }
    const filtered = verdicts.filtered.get(p.status.id);
    return filtered && filtered.length > 0 ? JSON.stringify({ ...p.anonymous, filtered }) : p.anonymousText;
  }

  /** A `notification` payload for its recipient, unless it is filtered or its status is no longer visible or is hidden by a filter. */
  async notificationPayload(notificationId: bigint, recipientId: bigint): Promise<string | null> {
    const repos = this.#deps.db.repos;
    const n = await repos.notifications.findById(recipientId, notificationId);
    if (!n || n.filtered) return null;
    const from = await repos.accounts.findById(n.fromAccountId);
    if (!available(from)) return null;
    let status: Record<string, unknown> | undefined;
    if (n.statusId !== null) {
      const visible = await findVisibleStatus(this.#deps, n.statusId, recipientId);
      if (!visible) return null;
      const [json] = await renderStatusList(this.#deps, [visible.status], recipientId, "notifications");
      if (!json) return null;
      status = json;
    }
    return JSON.stringify(renderNotification(await withMovedTargets(this.#deps, renderContext(this.#deps), [from]), n, from, status));
  }

  /** A `conversation` payload (Mastodon's Conversation entity) for one participant, when the conversation still shows `statusId`. */
  async conversationPayload(conversationId: bigint, statusId: bigint, accountId: bigint): Promise<string | null> {
    const repos = this.#deps.db.repos;
    const row = (await repos.conversations.holding(conversationId, statusId)).find((r) => r.accountId === accountId);
    if (!row) return null;
    const [view] = await withLastStatuses(this.#deps, accountId, [row]);
    // A status the participant may not see (its author suspended, or blocking them) is no event for them.
    if (!view?.lastStatus) return null;
    const lastStatus = (await renderStatusList(this.#deps, [view.lastStatus], accountId, "thread"))[0] ?? null;
    const participants = await repos.accounts.findByIds(view.conversation.participantIds);
    const byId = new Map(participants.map((a) => [a.id, a]));
    const ctx = await withMovedTargets(this.#deps, renderContext(this.#deps), participants);
    return JSON.stringify({
      id: String(view.conversation.id),
      unread: view.conversation.unread,
      accounts: view.conversation.participantIds
        .map((id) => byId.get(id))
        .filter((a): a is AccountRecord => a !== undefined && a.suspendedAt === null)
        .map((a) => renderAccount(ctx, a)),
      last_status: lastStatus,
    });
  }

  /** An `announcement` payload (Mastodon's Announcement entity, with the account's own reactions and read state). */
  async announcementPayload(announcementId: bigint, accountId: bigint): Promise<string | null> {
    const repo = this.#deps.db.repos.announcements;
    const announcement = await repo.findById(announcementId);
    if (!announcement || !announcement.published) return null;
    const [reactions, dismissed, table] = await Promise.all([
      repo.reactionsOf([announcementId], accountId),
      repo.dismissedAmong(accountId, [announcementId]),
      customEmojiTable(this.#deps),
    ]);
    const view = { announcement, reactions: reactions.get(announcementId) ?? [], read: dismissed.has(announcementId) };
    const byId = new Map([...table.values()].map((e) => [e.id, e]));
    return JSON.stringify(renderAnnouncement((key) => this.#deps.media.url(key), view, emojisIn(table, announcement.text), byId));
  }

  #viewerState(p: Prepared, viewer: bigint) {
    const ids = p.boosted ? [p.status.id, p.boosted.id] : [p.status.id];
    const conversations = [p.status.conversationId, p.boosted?.conversationId].filter((id): id is bigint => id !== null && id !== undefined);
    return this.#deps.db.repos.interactions.viewerState(viewer, ids, conversations);
  }

  async #excluded(p: Prepared, viewers: readonly bigint[]): Promise<Set<bigint>> {
    const authors = p.boostedAuthor ? [p.author.id, p.boostedAuthor.id] : [p.author.id];
    const domains = [p.author.domain, p.boostedAuthor?.domain].filter((d): d is string => !!d);
    const query = { blockedOrMuted: [...authors, ...p.mentioned], blockers: authors, domains, now: this.#deps.clock.now() };
    const batches: bigint[][] = [];
    for (let i = 0; i < viewers.length; i += EXCLUSION_BATCH) batches.push(viewers.slice(i, i + EXCLUSION_BATCH));
    const found = await mapLimit(batches, EXCLUSION_PARALLEL, (batch) => this.#deps.db.repos.timelines.excludedAmong(batch, query));
    return new Set(found.flatMap((ids) => [...ids]));
  }

  #prepare(statusId: bigint, event: string): Promise<Prepared | null> {
    const now = Date.now();
    const key = `${event}:${statusId}`;
    const hit = this.#prepared.get(key);
    if (hit && now - hit.at < PREPARED_TTL_MS) return hit.value;
    for (const [k, v] of this.#prepared) if (now - v.at >= PREPARED_TTL_MS || this.#prepared.size >= PREPARED_MAX) this.#prepared.delete(k);
    const value = this.#load(statusId, event).catch((err) => {
      this.#prepared.delete(key);
      throw err;
    });
    // An edit's events are not reused later: a second edit soon after must not be sent with the first one's text.
    if (event !== "status.update") this.#prepared.set(key, { at: now, value });
    return value;
  }

  async #load(statusId: bigint, event: string): Promise<Prepared | null> {
    const repos = this.#deps.db.repos;
    const status = await repos.statuses.findById(statusId);
    if (!status || status.deletedAt !== null) return null;
    const boosted = status.reblogOfId === null ? null : await repos.statuses.findById(status.reblogOfId);
    if (status.reblogOfId !== null && (!boosted || boosted.deletedAt !== null)) return null;
    const accounts = await repos.accounts.findByIds(boosted ? [status.accountId, boosted.accountId] : [status.accountId]);
    const author = accounts.find((a) => a.id === status.accountId);
    const boostedAuthor = boosted ? (accounts.find((a) => a.id === boosted.accountId) ?? null) : null;
    if (!available(author) || (boosted && !available(boostedAuthor))) return null;
    const bundle = await loadBundle(this.#deps, [status], null);
    const anonymous = renderStatus(statusContext(this.#deps), status, bundle);
    if (!anonymous) return null;
    const mentioned = new Set<bigint>([...(bundle.mentions.get(status.id) ?? []), ...(boosted ? (bundle.mentions.get(boosted.id) ?? []) : [])]);
    const untouched =
      event === "update" && status.reblogOfId === null && status.inReplyToId === null && status.favouritesCount === 0 &&
      status.reblogsCount === 0 && this.#deps.clock.now() - status.createdAt < UNTOUCHED_MS;
    return { status, author, boosted, boostedAuthor, mentioned, bundle, anonymous, anonymousText: JSON.stringify(anonymous), untouched };
  }
}
