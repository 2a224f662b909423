import type { FilterAction, FilterWithRules } from "../../ports/repositories/filters.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";

/**
 * Ruby's `[[:word:]]`, which Mastodon's CustomFilterKeyword#to_regex tests the keyword's ends with: letters,
 * marks, decimal digits and connector punctuation, in any script.
 */
const WORD = String.raw`[\p{L}\p{M}\p{Nd}\p{Pc}]`;
const STARTS_WITH_WORD = new RegExp(`^${WORD}`, "u");
const ENDS_WITH_WORD = new RegExp(`${WORD}$`, "u");

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/**
 * One keyword as Mastodon matches it: case-insensitive everywhere; a whole-word keyword also needs a word
 * boundary at each end that is a word character (so `#tag` and `tag!` only check the side with a letter).
 * JavaScript's `\b` is ASCII-only even with the u flag, hence the lookarounds over Unicode word characters.
 */
export function keywordPattern(keyword: string, wholeWord: boolean): string {
  const body = escapeRegExp(keyword);
  if (!wholeWord) return body;
  const start = STARTS_WITH_WORD.test(keyword) ? `(?<!${WORD})` : "";
  const end = ENDS_WITH_WORD.test(keyword) ? `(?!${WORD})` : "";
  return `${start}${body}${end}`;
}

/** A filter ready to match: its keywords as one alternation (Ruby's Regexp.union), its status ids as a set. */
export interface CompiledFilter {
  readonly filter: FilterWithRules;
  readonly keywords: RegExp | null;
  readonly statusIds: ReadonlySet<bigint>;
}

export function compileFilter(filter: FilterWithRules): CompiledFilter {
  const patterns = filter.keywords.filter((k) => k.keyword !== "").map((k) => `(?:${keywordPattern(k.keyword, k.wholeWord)})`);
  return {
    filter,
    keywords: patterns.length > 0 ? new RegExp(patterns.join("|"), "iu") : null,
    statusIds: new Set(filter.statuses.map((s) => s.statusId)),
  };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Remote content is HTML: paragraphs and line breaks become newlines, tags go, entities decode (Mastodon's plain text). */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p[^>]*>/gi, "\n\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/**
 * Parts of a status matched besides its text and content warning; apply-filters.ts loads them for the page
 * (Mastodon joins poll options and media descriptions into the searchable text).
 */
export interface SearchableExtras {
  readonly pollOptions?: readonly string[];
  readonly mediaDescriptions?: readonly string[];
}

/** Mastodon's Status#searchable_text: content warning, plain text, poll options, media descriptions. */
export function searchableText(status: StatusRecord, extras: SearchableExtras = {}): string {
  // Local statuses store their plain source text; remote ones (with a uri) store sanitized HTML.
  const text = status.uri === null ? status.text : htmlToPlainText(status.text);
  const parts = [status.spoilerText, text];
  if (extras.pollOptions && extras.pollOptions.length > 0) parts.push(extras.pollOptions.join("\n\n"));
  if (extras.mediaDescriptions && extras.mediaDescriptions.length > 0) parts.push(extras.mediaDescriptions.join("\n\n"));
  return parts.join("\n\n");
}

/** One filter that matched a status, before rendering (FilterResult). */
export interface FilterMatch {
  readonly filter: FilterWithRules;
  readonly action: FilterAction;
  /** The text the keywords matched (as it appears in the status), or null. */
  readonly keywordMatches: readonly string[] | null;
  /** The filtered status ids that matched (the status or the one it boosts); null when the filter has none. */
  readonly statusMatches: readonly bigint[] | null;
}

/**
 * The filters that match `status`, as Mastodon's CustomFilter.apply_cached_filters: keywords against the text
 * of the status itself (`proper`: the boosted one, for a boost), status rules against the status and the one it
 * boosts. Like Ruby's Regexp#match, only the first keyword match is reported.
 */
export function matchFilters(
  filters: readonly CompiledFilter[],
  status: StatusRecord,
  proper: StatusRecord,
  extras: SearchableExtras = {},
): FilterMatch[] {
  let text: string | null = null;
  const out: FilterMatch[] = [];
  for (const f of filters) {
    let keywordMatches: string[] | null = null;
    if (f.keywords) {
      text ??= searchableText(proper, extras);
      const m = f.keywords.exec(text);
      if (m) keywordMatches = [m[0]];
    }
    // As in Mastodon, a filter with status rules reports [] when none of them matched (and its keywords did).
    const statusMatches =
      f.statusIds.size > 0 ? [status.id, status.reblogOfId].filter((id): id is bigint => id !== null && f.statusIds.has(id)) : null;
    if (keywordMatches === null && (statusMatches === null || statusMatches.length === 0)) continue;
    out.push({ filter: f.filter, action: f.filter.action, keywordMatches, statusMatches });
  }
  return out;
}
