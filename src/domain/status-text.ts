import { countedLength, escapeHtml, findUrls, linkHtml } from "./text-format.ts";

/** Mastodon's limit on a status's text plus its content warning. */
export const STATUS_MAX_CHARS = 500;

// Mastodon's Account::MENTION_RE: not after a word character or a slash (so not inside URLs or e-mail addresses).
const MENTION_RE = /(?<=^|[^/\p{L}\p{N}_])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@([\p{L}\p{N}_.-]+[\p{L}\p{N}_]+))?/giu;

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

function inline(text: string, resolve: (token: MentionToken) => LinkedMention | null): string {
  const tokens: { start: number; end: number; html: string }[] = [];
  for (const u of findUrls(text)) tokens.push({ start: u.start, end: u.end, html: linkHtml(u.url, false) });
  for (const m of findMentions(text)) {
    const linked = resolve(m);
    if (linked) tokens.push({ start: m.start, end: m.end, html: mentionHtml(linked) });
  }
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
 * shortened, and mentions that `resolve` recognises (the status's recorded mentions) as h-card links. Anything
 * else stays escaped text.
 */
export function formatStatusText(text: string, resolve: (token: MentionToken) => LinkedMention | null): string {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  if (normalized === "") return "";
  return normalized
    .split(/\n\s*\n/)
    .map((p) => `<p>${inline(p, resolve).replace(/\n/g, "<br />")}</p>`)
    .join("");
}
