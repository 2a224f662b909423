import type { SearchTerms } from "../../ports/search.ts";

// A word as both indexes split text: letters, marks and digits; anything else separates words.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/** More words than this add nothing but cost. */
const MAX_WORDS = 16;
// A quoted phrase, an operator (`from:alice`), or a plain token, each optionally negated with `-`.
const TOKEN = /(-?)"([^"]*)"?|(-?)(\S+)/g;

/** A status search query as Mastodon's SearchQueryTransformer reads it (the operators Herd supports). */
export interface ParsedQuery {
  readonly terms: SearchTerms;
  /** `from:`: `me`, `alice` or `alice@domain` (with or without `@`); null when absent. */
  readonly from: string | null;
}

const wordsOf = (text: string) => [...text.toLowerCase().matchAll(WORD)].map((m) => m[0]);

/**
 * The words of a search query: every plain word must occur, a `"quoted phrase"` must occur as written, the
 * words of a `-word` token must not, and `from:` names the author. Other punctuation only separates words.
 */
export function parseSearchQuery(query: string): ParsedQuery {
  const words: string[] = [];
  const phrases: string[][] = [];
  const excluded: string[] = [];
  let from: string | null = null;
  let count = 0;
  const add = (into: string[], list: string[]) => {
    for (const w of list) if (!into.includes(w) && count < MAX_WORDS) (into.push(w), count++);
  };
  for (const m of query.matchAll(TOKEN)) {
    if (m[2] !== undefined) {
      const phrase = wordsOf(m[2]);
      if (m[1] === "-") add(excluded, phrase);
      else if (phrase.length === 1) add(words, phrase);
      else if (phrase.length > 1 && count + phrase.length <= MAX_WORDS) (phrases.push(phrase), (count += phrase.length));
      continue;
    }
    const token = m[4];
    const negated = m[3] === "-" && token !== "";
    if (!negated && /^from:./i.test(token)) {
      from = token.slice(5).replace(/^@/, "");
      continue;
    }
    add(negated ? excluded : words, wordsOf(token));
  }
  return { terms: { words, phrases, excluded }, from };
}
