/**
 * Local plain text (bios, profile field values) rendered to the HTML Mastodon clients expect: escaped, split into
 * paragraphs, with http(s) links turned into anchors shaped like Mastodon's (the scheme and the tail of long URLs
 * in `invisible` spans, so clients show a short link). Never passes the author's markup through.
 */

const URL_RE = /https?:\/\/[^\s<>"'`{}|\\^\u00a0\u3000]+/giu;
const DISPLAY_CHARS = 30;
/** Mastodon counts every link as this many characters towards length limits, however long it is. */
export const URL_WEIGHT = 23;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Text as it may be stored: without NUL characters, which PostgreSQL refuses in text columns and no person
 * types on purpose.
 */
export function storableText(text: string): string {
  return text.includes("\0") ? text.replaceAll("\0", "") : text;
}

/** Escapes the five HTML-significant characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

/** Trailing punctuation is sentence punctuation, not part of the link; a closing bracket stays when balanced. */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const last = url.at(-1);
    if (last && ".,;:!?*".includes(last)) {
      url = url.slice(0, -1);
      continue;
    }
    if (last === ")" && count(url, "(") < count(url, ")")) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** The http(s) URLs in `text`, with their positions, as they will be linked. */
export function findUrls(text: string): { start: number; end: number; url: string }[] {
  const out: { start: number; end: number; url: string }[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    // "https://" alone is not a link.
    if (!/^https?:\/\/[^/]/i.test(url)) continue;
    out.push({ start: m.index, end: m.index + url.length, url });
  }
  return out;
}

/** One link in Mastodon's shape. `rel="me"` is added for profile fields, which other servers verify. */
export function linkHtml(url: string, relMe: boolean): string {
  const prefix = /^https?:\/\/(www\.)?/i.exec(url)![0];
  const rest = Array.from(url.slice(prefix.length));
  const shown = rest.slice(0, DISPLAY_CHARS).join("");
  const hidden = rest.slice(DISPLAY_CHARS).join("");
  const rel = relMe ? "nofollow noopener me" : "nofollow noopener";
  return (
    `<a href="${escapeHtml(url)}" target="_blank" rel="${rel}" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${rest.length > DISPLAY_CHARS ? "ellipsis" : ""}">${escapeHtml(shown)}</span>` +
    `<span class="invisible">${escapeHtml(hidden)}</span></a>`
  );
}

function linkify(text: string, relMe: boolean): string {
  let html = "";
  let at = 0;
  for (const { start, end, url } of findUrls(text)) {
    html += escapeHtml(text.slice(at, start)) + linkHtml(url, relMe);
    at = end;
  }
  return html + escapeHtml(text.slice(at));
}

/**
 * A bio: paragraphs (blank lines) in `<p>`, single line breaks as `<br />`, links linkified. Blank text renders
 * as the empty string, as Mastodon does.
 */
export function formatPlainText(text: string): string {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  if (normalized === "") return "";
  return normalized
    .split(/\n\s*\n/)
    .map((p) => `<p>${linkify(p, false).replace(/\n/g, "<br />")}</p>`)
    .join("");
}

/** A profile field value: one line of escaped text with links carrying `rel="me"`. */
export function formatFieldValue(text: string): string {
  return linkify(text.replace(/\r\n?/g, "\n"), true);
}

/** Length as Mastodon's limits count it: characters (code points), each link counting as URL_WEIGHT. */
export function countedLength(text: string): number {
  let length = 0;
  let at = 0;
  for (const { start, end } of findUrls(text)) {
    length += Array.from(text.slice(at, start)).length + URL_WEIGHT;
    at = end;
  }
  return length + Array.from(text.slice(at)).length;
}

/** Length in characters (code points), as Rails' length validations count. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
