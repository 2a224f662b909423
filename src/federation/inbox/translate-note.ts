import {
  Article, Audio, Document, Hashtag, Image, Link, Mention, Note, Page, PUBLIC_COLLECTION, Question, Video,
  type Object as APObject,
} from "@fedify/fedify/vocab";
import type { Visibility } from "../../domain/profile.ts";
import { remoteTextToHtml, sanitizeRemoteHtml, stripHtml } from "../../domain/remote-html.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import { emojiTagsOf } from "../emoji-tags.ts";
import type { IngestEnv, RemoteMediaInput, RemotePollInput, RemoteStatusInput } from "./ingest-env.ts";
import { offlineOptions, type FetchBudget, fetchObject } from "./objects.ts";

/** Mastodon's limits on what it takes from a remote post. */
export const MAX_MENTIONS = 20;
/** Unknown ancestors of an incoming reply fetched, nearest first. */
export const MAX_ANCESTORS = 4;
export const MAX_MEDIA = 4;
export const MAX_TAGS = 20;
export const MAX_POLL_OPTIONS = 20;
/** Characters of a poll option title, a hashtag, a media description kept. */
const MAX_TITLE = 300;
const MAX_TAG = 100;
const MAX_DESCRIPTION = 1_500;
const MAX_HTML = 500_000;

const PUBLIC_IDS = new Set([PUBLIC_COLLECTION.href, "as:Public", "Public"]);

/** The kinds of object Herd stores as a status. */
export function isStatusObject(object: unknown): object is Note | Question | Article | Page {
  return object instanceof Note || object instanceof Question || object instanceof Article || object instanceof Page;
}

/**
 * Who may see a post, from its addressing as Mastodon reads it: the public collection in `to` is public, in `cc`
 * unlisted; the author's followers collection makes it followers-only; anything else is direct.
 */
export function visibilityOf(to: readonly URL[], cc: readonly URL[], followersUrl: string | null): Visibility {
  if (to.some((u) => PUBLIC_IDS.has(u.href))) return "public";
  if (cc.some((u) => PUBLIC_IDS.has(u.href))) return "unlisted";
  if (followersUrl !== null && [...to, ...cc].some((u) => u.href === followersUrl)) return "private";
  return "direct";
}

const ms = (instant: { epochMilliseconds: number } | null | undefined): number | null => (instant ? instant.epochMilliseconds : null);

const httpUrl = (value: string | URL | null | undefined): string | null => {
  if (!value) return null;
  try {
    const url = new URL(String(value));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
};

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** The first http(s) URL of an object's `url` (a URL or a Link). */
function objectUrl(url: URL | Link | null | undefined): string | null {
  if (!url) return null;
  return url instanceof Link ? httpUrl(url.href) : httpUrl(url);
}

/** The HTML content and its language: `content`, else the first `contentMap` entry. */
function contentOf(object: APObject): { html: string | null; language: string | null } {
  let html: string | null = null;
  let language: string | null = null;
  for (const c of object.contents) {
    const locale = typeof c === "string" ? null : (c.locale?.baseName ?? null);
    if (html === null) html = String(c);
    if (language === null && locale) language = locale;
  }
  return { html, language };
}

/** Fields Fedify's vocabulary leaves out (Mastodon's toot: extensions), read from the document as sent. */
function rawAttachments(raw: Record<string, unknown> | null): Record<string, unknown>[] {
  const list = raw?.attachment;
  return (Array.isArray(list) ? list : list ? [list] : []).filter((a): a is Record<string, unknown> => a !== null && typeof a === "object");
}

function focusOf(value: unknown): { x: number; y: number } | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [x, y] = value.map(Number);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
  const clamp = (n: number) => Math.max(-1, Math.min(1, n));
  return { x: clamp(x), y: clamp(y) };
}

/** A count as the database stores it (int32): anything else (negative, fractional, 1e300) counts as unknown. */
const count = (n: unknown): number | null => (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : null);

const dimension = (n: unknown): number | null => (typeof n === "number" && Number.isInteger(n) && n > 0 && n < 100_000 ? n : null);

async function mediaOf(object: APObject, raw: Record<string, unknown> | null): Promise<RemoteMediaInput[]> {
  const media: RemoteMediaInput[] = [];
  const rawList = rawAttachments(raw);
  let index = -1;
  for await (const a of object.getAttachments(offlineOptions())) {
    index++;
    if (media.length >= MAX_MEDIA) break;
    if (!(a instanceof Document || a instanceof Image || a instanceof Video || a instanceof Audio)) continue;
    const urlValue = a.url;
    const remoteUrl = urlValue instanceof Link ? httpUrl(urlValue.href) : httpUrl(urlValue);
    if (!remoteUrl) continue;
    const extra = rawList.find((r) => r.url === remoteUrl || (typeof r.url === "object" && r.url !== null && (r.url as { href?: unknown }).href === remoteUrl)) ?? rawList[index] ?? {};
    const name = text(a.name);
    const blurhash = typeof extra.blurhash === "string" && /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,100}$/.test(extra.blurhash) ? extra.blurhash : null;
    media.push({
      remoteUrl,
      contentType: typeof a.mediaType === "string" && /^[\w.+-]+\/[\w.+-]+$/.test(a.mediaType) ? a.mediaType.toLowerCase() : null,
      description: name ? stripHtml(name).slice(0, MAX_DESCRIPTION) || null : null,
      blurhash,
      focus: focusOf(extra.focalPoint),
      width: dimension(a.width),
      height: dimension(a.height),
    });
  }
  return media;
}

async function pollOf(question: Question): Promise<RemotePollInput | null> {
  const options: { title: string; votesCount: number }[] = [];
  let multiple = false;
  const collect = async (iterable: AsyncIterable<APObject>) => {
    for await (const option of iterable) {
      if (options.length >= MAX_POLL_OPTIONS) break;
      const title = stripHtml(text(option.name) ?? "").slice(0, MAX_TITLE);
      if (!title) continue;
      const replies = await option.getReplies(offlineOptions()).catch(() => null);
      const votes = replies?.totalItems;
      options.push({ title, votesCount: count(votes) ?? 0 });
    }
  };
  await collect(question.getExclusiveOptions(offlineOptions()));
  if (options.length === 0) {
    multiple = true;
    await collect(question.getInclusiveOptions(offlineOptions()));
  }
  if (options.length === 0) return null;
  const voters = question.voters;
  const closed = question.closed;
  return {
    options,
    multiple,
    expiresAt: ms(question.endTime) ?? (typeof closed === "object" ? ms(closed) : null),
    votersCount: count(voters),
  };
}

/** A tag's name as Herd stores hashtags: without `#`, letters, digits and underscores only. */
export function hashtagName(name: string): string | null {
  const bare = name.trim().replace(/^#/, "");
  return /^[\p{L}\p{N}_\p{M}]{1,100}$/u.test(bare) ? bare.slice(0, MAX_TAG) : null;
}

/** How far the translation may reach: replies fetch their parent (once), mentions resolve their accounts. */
export interface NoteContext {
  readonly author: AccountRecord;
  /** 0 for the activity's own object; at 1 an unknown parent is not fetched. */
  readonly depth: number;
  readonly budget: FetchBudget;
}

/**
 * A Note, Question, Article or Page as the inbound services' input: content and summary sanitized, addressing as
 * a visibility, the reply parent (a known status, or the parent fetched once and stored first), mentioned
 * accounts (local ones by URL, remote ones resolved, at most 20), hashtags, custom emojis (at most 50), up to four
 * http(s) attachments, and a Question's poll. Null when the object cannot be a post of `ctx.author` (no id, or
 * on another origin).
 */
export async function translateNote(
  env: IngestEnv,
  object: Note | Question | Article | Page,
  raw: Record<string, unknown> | null,
  ctx: NoteContext,
): Promise<RemoteStatusInput | null> {
  const id = object.id;
  if (!id || (id.protocol !== "https:" && id.protocol !== "http:")) return null;
  const authorUri = ctx.author.uri ? new URL(ctx.author.uri) : null;
  if (!authorUri || id.origin !== authorUri.origin) return null;
  if (object.attributionId?.href !== authorUri.href) return null;

  const followers = await env.lookup.followers(ctx.author);
  const visibility = visibilityOf(object.toIds, object.ccIds, followers);

  let { html, language } = contentOf(object);
  const url = objectUrl(object.url instanceof URL || object.url instanceof Link ? object.url : null);
  if (object instanceof Article || object instanceof Page) {
    // As Mastodon: an article shows as its title and a link to it, not as its whole body.
    const title = text(object.name);
    if (title) html = remoteTextToHtml(stripHtml(title)) + (url ? `<p><a href="${url.replaceAll('"', "%22")}">${url.replaceAll("<", "%3C")}</a></p>` : "");
  }
  const content = sanitizeRemoteHtml((html ?? "").slice(0, MAX_HTML));
  const spoilerText = stripHtml(text(object.summary) ?? "");

  let inReplyToId: bigint | null = null;
  const parentId = object.replyTargetId;
  if (parentId) inReplyToId = (await env.lookup.status(parentId))?.id ?? (ctx.depth < MAX_ANCESTORS ? await fetchParent(env, parentId, ctx) : null);

  const mentionIds: bigint[] = [];
  const tags: string[] = [];
  let remoteLookups = 0;
  for await (const tag of object.getTags(offlineOptions())) {
    if (tag instanceof Mention && tag.href) {
      if (mentionIds.length >= MAX_MENTIONS) continue;
      let account = await env.lookup.localAccount(tag.href);
      if (!account && tag.href.origin !== env.localOrigin && remoteLookups < MAX_MENTIONS) {
        remoteLookups++;
        account = await env.lookup.remoteActor(tag.href);
      }
      if (account && !mentionIds.includes(account.id)) mentionIds.push(account.id);
    } else if (tag instanceof Hashtag) {
      const name = hashtagName(text(tag.name) ?? "");
      if (name && tags.length < MAX_TAGS && !tags.some((t) => t.toLowerCase() === name.toLowerCase())) tags.push(name);
    }
  }

  const emojis = await emojiTagsOf(object);
  const media = await mediaOf(object, raw);
  const poll = object instanceof Question ? await pollOf(object) : null;
  const createdAt = ms(object.published) ?? env.now();
  const updated = ms(object.updated);
  const conversation = object.contextIds[0]?.href ?? (typeof raw?.conversation === "string" ? raw.conversation : null);

  return {
    authorId: ctx.author.id,
    author: ctx.author,
    uri: id.href,
    url,
    html: content,
    spoilerText,
    visibility,
    sensitive: object.sensitive === true,
    language: language && /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language) ? language : null,
    inReplyToId,
    mentionIds,
    tags,
    media,
    poll,
    createdAt,
    editedAt: updated !== null && updated > createdAt ? updated : null,
    conversationUri: conversation && conversation.length <= 2_048 ? conversation : null,
    emojis,
  };
}

/**
 * The parent of a reply Herd does not know yet: fetched and stored first, and its own unknown parent before it,
 * up to MAX_ANCESTORS up the thread (and within the activity's fetch budget), so a thread shows its context.
 */
async function fetchParent(env: IngestEnv, uri: URL, ctx: NoteContext): Promise<bigint | null> {
  const fetched = await fetchObject(env, uri, ctx.budget);
  if (!fetched || !isStatusObject(fetched.object)) return null;
  const authorId = fetched.object.attributionId;
  if (!authorId || authorId.origin !== uri.origin) return null;
  const author = authorId.origin === env.localOrigin ? null : await env.lookup.remoteActor(authorId);
  if (!author) return null;
  const input = await translateNote(env, fetched.object, fetched.raw, { author, depth: ctx.depth + 1, budget: ctx.budget });
  if (!input) return null;
  return (await env.inbound.receiveStatus(input))?.statusId ?? null;
}
