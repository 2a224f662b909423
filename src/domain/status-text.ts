import { countedLength, escapeHtml, findUrls, linkHtml } from "./text-format.ts";

/** Mastodon's limit on a status's text plus its content warning: MAX_TOOT_CHARS's default. */
export const STATUS_MAX_CHARS = 500;

// Mastodon's Account::MENTION_RE: not after a word character or a slash (so not inside URLs or e-mail addresses).
// Unlike Mastodon's, the domain may carry a port: instances on a non-default port (LOCAL_DOMAIN=localhost:3000,
// the federation tests) have handles like @alice@localhost:3000, and they should link like any other.
const MENTION_RE = /(?<=^|[^/\p{L}\p{N}_])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@([\p{L}\p{N}_.-]+[\p{L}\p{N}_]+(?::\d{1,5}(?!\d))?))?/giu;

/** One `@user` or `@user@domain` in a text, with its position. */
export interface MentionToken {
  readonly start: number;
  readonly end: number;
  readonly username: string;
  /** Lower-cased; null when no domain was written. */
  readonly domain: string | null;
}

/** The mentions in `text`, outside links. */
export function findMentions(text: string): MentionToken[] {
  const urls = findUrls(text);
  const out: MentionToken[] = [];
  for (const m of text.matchAll(MENTION_RE)) {
    const start = m.index;
    if (urls.some((u) => start >= u.start && start < u.end)) continue;
    out.push({ start, end: start + m[0].length, username: m[1], domain: m[2]?.toLowerCase() ?? null });
  }
  return out;
}

// Mastodon's Tag::HASHTAG_RE: `#` or `＃` not after `=`, `/`, `)` or a letter or digit, then a name that is not
// all digits or underscores. Ruby's [[:word:]] and [[:alpha:]] in JavaScript's Unicode classes.
const WORD = String.raw`\p{L}\p{M}\p{Nd}\p{Pc}`;
const ALPHA = String.raw`\p{L}\p{M}`;
const SEPARATORS = "_\u00B7\u30FB\u200C";
const FIRST_SEQUENCE = `([${WORD}_][${WORD}${SEPARATORS}]*[${ALPHA}${SEPARATORS}][${WORD}${SEPARATORS}]*[${WORD}_])`;
const LAST_SEQUENCE = `([${WORD}_]*[${ALPHA}][${WORD}_]*)`;
const HASHTAG_NAME = `${FIRST_SEQUENCE}|${LAST_SEQUENCE}`;
const HASHTAG_RE = new RegExp(`(?<![=/)\\p{L}\\p{M}\\p{Nd}])[#＃](?:${HASHTAG_NAME})`, "giu");
const HASHTAG_NAME_RE = new RegExp(`^(?:${HASHTAG_NAME})$`, "iu");
const INVALID_TAG_CHARS = new RegExp(`[^\\p{L}\\p{M}\\p{Nd}${SEPARATORS}]`, "gu");

/** One `#tag` in a text, with its position; `name` is as written. */
export interface HashtagToken {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** The hashtags in `text`, outside links, in text order (repeats included). */
export function findHashtags(text: string): HashtagToken[] {
  const urls = findUrls(text);
  const out: HashtagToken[] = [];
  for (const m of text.matchAll(HASHTAG_RE)) {
    const start = m.index;
    if (urls.some((u) => start < u.end && start + m[0].length > u.start)) continue;
    out.push({ start, end: start + m[0].length, name: m[1] ?? m[2] });
  }
  return out;
}

/** Whether `name` (without `#`) is a valid hashtag name, as Mastodon's Tag::HASHTAG_NAME_RE says. */
export function isHashtagName(name: string): boolean {
  return HASHTAG_NAME_RE.test(name);
}

/**
 * The case- and width-insensitive key of a tag name, as Mastodon's HashtagNormalizer makes it: full-width
 * Latin and digits narrowed, NFKC and lower case, accents folded off Latin letters, invalid characters dropped.
 * `#Café`, `#cafe` and `#ＣＡＦＥ` are one tag.
 */
export function normalizeHashtag(name: string): string {
  const narrowed = name.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const lower = narrowed.normalize("NFKC").toLowerCase().normalize("NFKC");
  const folded = lower.normalize("NFD").replace(/([a-z])\p{M}+/gu, "$1").normalize("NFC");
  return folded.replace(INVALID_TAG_CHARS, "");
}

/** A tag name as it is shown: as first written, without characters a tag cannot hold. */
export function displayHashtag(name: string): string {
  return name.replace(INVALID_TAG_CHARS, "");
}

/** The distinct tags of a text (by normalized name), each with the spelling it first had, in text order. */
export function distinctHashtags(text: string): { name: string; normalized: string }[] {
  const out: { name: string; normalized: string }[] = [];
  for (const t of findHashtags(text)) {
    const normalized = normalizeHashtag(t.name);
    if (normalized === "" || out.some((x) => x.normalized === normalized)) continue;
    out.push({ name: displayHashtag(t.name), normalized });
  }
  return out;
}

/**
 * Length as Mastodon's StatusLengthValidator counts it: links weigh 23 characters, and a mention counts only
 * its `@username` part (the domain is free).
 */
export function statusLength(text: string): number {
  let countable = "";
  let at = 0;
  for (const m of findMentions(text)) {
    countable += text.slice(at, m.start) + "@" + m.username;
    at = m.end;
  }
  return countedLength(countable + text.slice(at));
}

/** A mentioned account as the content links it. */
export interface LinkedMention {
  readonly username: string;
  readonly url: string;
}

function mentionHtml(m: LinkedMention): string {
  return `<span class="h-card" translate="no"><a href="${escapeHtml(m.url)}" class="u-url mention">@<span>${escapeHtml(m.username)}</span></a></span>`;
}

function hashtagHtml(name: string, url: string): string {
  return `<a href="${escapeHtml(url)}" class="mention hashtag" rel="tag">#<span>${escapeHtml(name)}</span></a>`;
}

function inline(text: string, resolve: (token: MentionToken) => LinkedMention | null, tagUrl?: (name: string) => string): string {
  const tokens: { start: number; end: number; html: string }[] = [];
  for (const u of findUrls(text)) tokens.push({ start: u.start, end: u.end, html: linkHtml(u.url, false) });
  for (const m of findMentions(text)) {
    const linked = resolve(m);
    if (linked) tokens.push({ start: m.start, end: m.end, html: mentionHtml(linked) });
  }
  if (tagUrl) for (const t of findHashtags(text)) tokens.push({ start: t.start, end: t.end, html: hashtagHtml(t.name, tagUrl(t.name)) });
  tokens.sort((a, b) => a.start - b.start);
  let html = "";
  let at = 0;
  for (const t of tokens) {
    html += escapeHtml(text.slice(at, t.start)) + t.html;
    at = t.end;
  }
  return html + escapeHtml(text.slice(at));
}

/**
 * A local status's plain text as Mastodon renders it: paragraphs in `<p>`, line breaks as `<br />`, links
 * shortened, and mentions that `resolve` recognises (the status's recorded mentions) as h-card links; with
 * `tagUrl`, hashtags as Mastodon's hashtag links (the text as written, linked to the tag's page). Anything else
 * stays escaped text.
 */
export function formatStatusText(
  text: string,
  resolve: (token: MentionToken) => LinkedMention | null,
  tagUrl?: (name: string) => string,
): string {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  if (normalized === "") return "";
  return normalized
    .split(/\n\s*\n/)
    .map((p) => `<p>${inline(p, resolve, tagUrl).replace(/\n/g, "<br />")}</p>`)
    .join("");
}
