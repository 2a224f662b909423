import { emojisIn, shortcodesIn } from "../../../domain/custom-emoji.ts";
import { remoteEmojisIn } from "../../../domain/remote-emojis.ts";
import { formatStatusText, type LinkedMention } from "../../../domain/status-text.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { MediaRecord } from "../../../ports/repositories/media.ts";
import type { StatusApplication, StatusRecord } from "../../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../../ports/repositories/tags.ts";
import { cachedContent } from "../status-statics.ts";
import { movedTarget, renderAccount, type AccountRenderContext } from "./account.ts";
import { renderMediaAttachment } from "./media-attachment.ts";
import { statusPoll, type PollBundle } from "./poll.ts";
import { renderStatusTag, tagUrl } from "./tag.ts";

/** What rendering statuses needs from the instance. */
export interface StatusRenderContext extends AccountRenderContext {
  readonly localDomain: string;
}

/** Everything a page of statuses refers to, loaded in a few queries for the whole page. */
export interface StatusBundle {
  readonly accounts: ReadonlyMap<bigint, AccountRecord>;
  /** Mentioned account ids per status. */
  readonly mentions: ReadonlyMap<bigint, readonly bigint[]>;
  readonly applications: ReadonlyMap<bigint, StatusApplication>;
  /** The signed-in viewer (null when anonymous or app-only) and which of the page's statuses they pinned. */
  readonly viewerId: bigint | null;
  readonly pinned: ReadonlySet<bigint>;
  /** The statuses the page's boosts boost, by id: only those the viewer may see (a boost of any other is left out). */
  readonly reblogs: ReadonlyMap<bigint, StatusRecord>;
  /** The viewer's favourites, bookmarks and boosts among the page's statuses (and the boosted ones). */
  readonly favourited: ReadonlySet<bigint>;
  readonly bookmarked: ReadonlySet<bigint>;
  readonly reblogged: ReadonlySet<bigint>;
  /** Conversation ids the viewer muted. */
  readonly mutedConversations: ReadonlySet<bigint>;
  /** The page's polls and the viewer's choices (absent: none loaded). */
  readonly polls?: PollBundle;
  /** Hashtags per status (absent: none loaded). */
  readonly tags?: ReadonlyMap<bigint, readonly TagRecord[]>;
  /** The viewer's warn/blur filter results (FilterResult entities) per status, from applyFilters; absent: none. */
  readonly filtered?: ReadonlyMap<bigint, readonly Record<string, unknown>[]>;
  /**
   * CustomEmoji entities by shortcode, for the page's texts, names and bios (absent: none loaded); remote ones
   * under remoteEmojiKey(shortcode, domain).
   */
  readonly emojis?: ReadonlyMap<string, Record<string, unknown>>;
  /** Media attachments per status, in display order (absent: none loaded). */
  readonly media?: ReadonlyMap<bigint, readonly MediaRecord[]>;
  /** The accounts the page's authors moved to, by id, for their `moved` (absent: none moved). */
  readonly movedTo?: ReadonlyMap<bigint, AccountRecord>;
}

const iso = (ms: number) => new Date(ms).toISOString();

// Creation times of statuses rendered lately, as ISO strings: every page renders the same statuses again, and
// formatting a date costs more than the lookup. Cleared when full, so memory stays flat.
const createdIsos = new Map<number, string>();
function createdIso(ms: number): string {
  let out = createdIsos.get(ms);
  if (out === undefined) {
    if (createdIsos.size >= 20_000) createdIsos.clear();
    createdIsos.set(ms, (out = iso(ms)));
  }
  return out;
}

/*
 * The Account entity of each author record, kept with the record: records of a page's authors come from the
 * per-process cache of account-cache.ts, which hands out the same object until the account changes (then a new
 * record, so a new rendering). The rendering depends on the record and on the instance's URLs (checked by the
 * picture URLs, cheap to build) and its emojis on the request's emoji table, so only the shortcodes the name and
 * bio use are kept and their entities looked up each time. A moved author's rendering also holds the record of
 * the account it moved to (`moved`), so it is kept only while that record is the one the page loaded. Frozen, as
 * it is shared by every status it appears in.
 */
interface RenderedAuthor {
  readonly key: string;
  readonly moved: AccountRecord | null;
  readonly shortcodes: boolean;
  readonly json: Readonly<Record<string, unknown>>;
  /** The JSON text, made the first time a page is written as text (status-json.ts). */
  text?: string;
}
const renderedAuthors = new WeakMap<AccountRecord, RenderedAuthor>();

const pictureKey = (ctx: StatusRenderContext, a: AccountRecord) =>
  `${a.avatarKey === null ? "" : ctx.mediaUrl(a.avatarKey)}\n${a.headerKey === null ? "" : ctx.mediaUrl(a.headerKey)}`;

// Only an unsuspended account's name and bio (and a remote one's fields) can show emojis (renderAccount):
// whether they name any.
const namesEmojis = (a: AccountRecord) =>
  a.suspendedAt === null && shortcodesIn(a.displayName, a.note, ...(a.domain === null ? [] : a.fields.flatMap((f) => [f.name, f.value]))).size > 0;

const authorContext = (ctx: StatusRenderContext, bundle: StatusBundle): AccountRenderContext =>
  bundle.movedTo ? { baseUrl: ctx.baseUrl, mediaUrl: ctx.mediaUrl, movedTo: bundle.movedTo } : { baseUrl: ctx.baseUrl, mediaUrl: ctx.mediaUrl };

/** The kept rendering of an author record, made anew when the instance's URLs or the account moved to changed. */
function renderedAuthor(ctx: StatusRenderContext, a: AccountRecord, bundle: StatusBundle): RenderedAuthor {
  const actx = authorContext(ctx, bundle);
  const moved = movedTarget(actx, a);
  const key = `${ctx.baseUrl}\n${pictureKey(ctx, a)}${moved ? `\n${pictureKey(ctx, moved)}` : ""}`;
  let hit = renderedAuthors.get(a);
  if (!hit || hit.key !== key || hit.moved !== moved) {
    const json = renderAccount(actx, a);
    hit = { key, moved, shortcodes: namesEmojis(a) || (moved !== null && namesEmojis(moved)), json: Object.freeze(json) };
    renderedAuthors.set(a, hit);
  }
  return hit;
}

// Whether the request's emoji table changes the author's entity (then it is rendered for the request).
const usesEmojiTable = (hit: RenderedAuthor, bundle: StatusBundle) => hit.shortcodes && bundle.emojis !== undefined && bundle.emojis.size > 0;

function authorJson(ctx: StatusRenderContext, a: AccountRecord, bundle: StatusBundle): Record<string, unknown> {
  const hit = renderedAuthor(ctx, a, bundle);
  return usesEmojiTable(hit, bundle) ? renderAccount({ ...authorContext(ctx, bundle), emojis: bundle.emojis }, a) : hit.json;
}

/** The author's Account entity as JSON, kept with its rendering (so it changes when the record does). */
export function authorJsonText(ctx: StatusRenderContext, a: AccountRecord, bundle: StatusBundle): string {
  const hit = renderedAuthor(ctx, a, bundle);
  if (usesEmojiTable(hit, bundle)) return JSON.stringify(renderAccount({ ...authorContext(ctx, bundle), emojis: bundle.emojis }, a));
  return (hit.text ??= JSON.stringify(hit.json));
}

/** A remote poll's option titles, whose shortcodes count among the status's emojis (as Mastodon's Status#emojis). */
function pollTitles(bundle: StatusBundle, statusId: bigint): string[] {
  return bundle.polls?.byStatus.get(statusId)?.options.map((o) => o.title) ?? [];
}

function accountUrl(ctx: StatusRenderContext, a: AccountRecord): string {
  return a.domain === null ? `${ctx.baseUrl}/@${a.username}` : (a.url ?? a.uri ?? "");
}

function renderMentions(ctx: StatusRenderContext, accounts: readonly AccountRecord[]) {
  return accounts.map((a) => ({
    id: String(a.id),
    username: a.username,
    url: accountUrl(ctx, a),
    acct: a.domain === null ? a.username : `${a.username}@${a.domain}`,
  }));
}

/** Links the mentions the status recorded; other `@…` stay text. */
function mentionResolver(ctx: StatusRenderContext, accounts: readonly AccountRecord[]) {
  const local = ctx.localDomain.toLowerCase();
  return (token: { username: string; domain: string | null }): LinkedMention | null => {
    const domain = token.domain === local ? null : token.domain;
    const a = accounts.find((x) => x.username.toLowerCase() === token.username.toLowerCase() && (x.domain?.toLowerCase() ?? null) === domain);
    return a ? { username: a.username, url: accountUrl(ctx, a) } : null;
  };
}

/**
 * Mastodon's Status entity for a local status. The viewer fields (favourited, reblogged, muted, bookmarked)
 * appear for a signed-in viewer; `pinned` on the viewer's own pinnable statuses. A boost is rendered as Mastodon
 * does: the booster's entity with empty content and the boosted status nested in `reblog`. `withSource` adds the
 * plain `text`, as the answer to a delete does (for redrafting). Null when the author is missing from the
 * bundle, or, for a boost, when the boosted status is (the viewer may not see it).
 */
export function renderStatus(ctx: StatusRenderContext, s: StatusRecord, bundle: StatusBundle, withSource = false): Record<string, unknown> | null {
  const author = bundle.accounts.get(s.accountId);
  if (!author) return null;
  let reblog: Record<string, unknown> | null = null;
  if (s.reblogOfId !== null) {
    const original = bundle.reblogs.get(s.reblogOfId);
    reblog = original ? renderStatus(ctx, original, bundle) : null;
    if (!reblog) return null;
  }
  const out: Record<string, unknown> = {
    ...statusOwnFields(ctx, s, author, bundle),
    emojis: statusEmojis(s, author, bundle),
    reblog,
    account: authorJson(ctx, author, bundle),
    ...statusLiveFields(s, bundle),
  };
  if (withSource) out.text = s.text;
  return out;
}

/** The mentioned accounts of a status that the bundle holds, in the order the status recorded them. */
export function mentionedAccounts(s: StatusRecord, bundle: StatusBundle): AccountRecord[] {
  return (bundle.mentions.get(s.id) ?? []).map((id) => bundle.accounts.get(id)).filter((a): a is AccountRecord => a !== undefined);
}

/**
 * The fields of a status's entity that depend only on the status at its version, its author's name, and what
 * the bundle loaded for it (application, attachments, mentions, hashtags): the part status-json.ts may keep as
 * text. Not the author's entity, the boosted status, emojis, counts, poll or the viewer's fields.
 */
export function statusOwnFields(ctx: StatusRenderContext, s: StatusRecord, author: AccountRecord, bundle: StatusBundle): Record<string, unknown> {
  const mentioned = mentionedAccounts(s, bundle);
  const app = s.applicationId === null ? undefined : bundle.applications.get(s.applicationId);
  const local = author.domain === null;
  const boost = s.reblogOfId !== null;
  return {
    id: String(s.id),
    created_at: createdIso(s.createdAt),
    in_reply_to_id: s.inReplyToId === null ? null : String(s.inReplyToId),
    in_reply_to_account_id: s.inReplyToAccountId === null ? null : String(s.inReplyToAccountId),
    sensitive: s.sensitive,
    spoiler_text: s.spoilerText,
    visibility: s.visibility,
    language: s.language,
    // A local boost is an Announce activity: Mastodon gives it the activity's URI as both uri and url.
    uri: local ? `${ctx.baseUrl}/users/${author.username}/statuses/${s.id}${boost ? "/activity" : ""}` : (s.uri ?? ""),
    url: local ? (boost ? `${ctx.baseUrl}/users/${author.username}/statuses/${s.id}/activity` : `${ctx.baseUrl}/@${author.username}/${s.id}`) : (s.url ?? s.uri),
    edited_at: s.editedAt === null ? null : iso(s.editedAt),
    content: local ? cachedContent(s, () => formatStatusText(s.text, mentionResolver(ctx, mentioned), (name) => tagUrl(ctx.baseUrl, name))) : s.text,
    application: app ? { name: app.name, website: app.website } : null,
    media_attachments: (bundle.media?.get(s.id) ?? []).map((m) => renderMediaAttachment(ctx, m)),
    mentions: renderMentions(ctx, mentioned),
    tags: (bundle.tags?.get(s.id) ?? []).map((t) => renderStatusTag(ctx.baseUrl, t)),
    card: null,
  };
}

/** The CustomEmoji entities a status's texts use (a remote one's poll options count too), from the bundle's table. */
export function statusEmojis(s: StatusRecord, author: AccountRecord, bundle: StatusBundle): Record<string, unknown>[] {
  return author.domain === null
    ? emojisIn(bundle.emojis, s.text, s.spoilerText)
    : remoteEmojisIn(bundle.emojis, author.domain, s.text, s.spoilerText, ...pollTitles(bundle, s.id));
}

// Whether the viewer's `pinned` appears: on their own statuses that can be pinned.
const pinnable = (s: StatusRecord, viewerId: bigint) => viewerId === s.accountId && s.visibility !== "direct" && s.reblogOfId === null;

/**
 * The fields that change without an edit: counts, the poll, and the viewer's own (favourited … filtered). Read
 * back from statusLiveJson, so that pages written as text and statuses rendered as objects cannot differ.
 */
export function statusLiveFields(s: StatusRecord, bundle: StatusBundle): Record<string, unknown> {
  return JSON.parse(`${statusLiveJson(s, bundle)}}`) as Record<string, unknown>;
}

/**
 * The fields that change without an edit as JSON members after an opening brace (`{"replies_count":…`, no closing
 * brace), written by hand: on a page of kept statuses, JSON.stringify of these small objects was the larger part
 * of what was left to do. The viewer's fields appear for a signed-in viewer; `pinned` on their pinnable statuses.
 */
export function statusLiveJson(s: StatusRecord, bundle: StatusBundle): string {
  const poll = bundle.polls ? statusPoll(bundle.polls, s.id, bundle.viewerId) : null;
  let out = `{"replies_count":${s.repliesCount},"reblogs_count":${s.reblogsCount},"favourites_count":${s.favouritesCount},"poll":${poll === null ? "null" : JSON.stringify(poll)}`;
  const viewerId = bundle.viewerId;
  if (viewerId !== null) {
    const muted = s.conversationId !== null && bundle.mutedConversations.has(s.conversationId);
    out += `,"favourited":${bundle.favourited.has(s.id)},"reblogged":${bundle.reblogged.has(s.id)},"muted":${muted},"bookmarked":${bundle.bookmarked.has(s.id)}`;
    if (pinnable(s, viewerId)) out += `,"pinned":${bundle.pinned.has(s.id)}`;
    const filtered = bundle.filtered?.get(s.id);
    if (filtered && filtered.length > 0) out += `,"filtered":${JSON.stringify(filtered)}`;
  }
  return out;
}

/**
 * One revision of a status as Mastodon's StatusEdit entity; its mentions link as the status's do. `media` are
 * the revision's attachments in its order (the caller loads them); `emojis` come from the bundle's table, which
 * must cover the revision's text; `poll` is the revision's option titles, as Mastodon's.
 */
export function renderStatusEdit(
  ctx: StatusRenderContext,
  status: StatusRecord,
  edit: {
    readonly text: string; readonly spoilerText: string; readonly sensitive: boolean; readonly createdAt: number;
    readonly pollOptions?: readonly string[] | null;
  },
  bundle: StatusBundle,
  media: readonly MediaRecord[] = [],
): Record<string, unknown> | null {
  const author = bundle.accounts.get(status.accountId);
  if (!author) return null;
  const mentioned = mentionedAccounts(status, bundle);
  return {
    content: author.domain === null ? formatStatusText(edit.text, mentionResolver(ctx, mentioned), (name) => tagUrl(ctx.baseUrl, name)) : edit.text,
    spoiler_text: edit.spoilerText,
    sensitive: edit.sensitive,
    created_at: iso(edit.createdAt),
    account: renderAccount({ ...ctx, ...(bundle.emojis ? { emojis: bundle.emojis } : {}), ...(bundle.movedTo ? { movedTo: bundle.movedTo } : {}) }, author),
    poll: edit.pollOptions ? { options: edit.pollOptions.map((title) => ({ title })) } : null,
    media_attachments: media.map((m) => renderMediaAttachment(ctx, m)),
    emojis:
      author.domain === null
        ? emojisIn(bundle.emojis, edit.text, edit.spoilerText)
        : remoteEmojisIn(bundle.emojis, author.domain, edit.text, edit.spoilerText, ...(edit.pollOptions ?? [])),
  };
}

/** Mastodon's StatusSource entity: the plain text an edit starts from. */
export function renderStatusSource(s: StatusRecord): Record<string, unknown> {
  return { id: String(s.id), text: s.text, spoiler_text: s.spoilerText };
}
