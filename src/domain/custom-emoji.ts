/** Mastodon's shortcode rule: two or more letters, digits or underscores. */
export const SHORTCODE_RE = /^[a-zA-Z0-9_]{2,}$/;

// Mastodon's CustomEmoji::SCAN_RE: a shortcode between colons, not glued to letters, digits or other colons.
const SCAN_RE = /(?<=^|[^\p{L}\p{N}:]):([a-zA-Z0-9_]{2,}):(?=[^\p{L}\p{N}:]|$)/gu;

/** The shortcodes written as `:shortcode:` in `texts`. */
export function shortcodesIn(...texts: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(SCAN_RE)) out.add(m[1]);
  return out;
}

/** The entities of `table` (by shortcode) that `texts` use, in shortcode order. */
export function emojisIn<T>(table: ReadonlyMap<string, T> | undefined, ...texts: readonly string[]): T[] {
  if (!table || table.size === 0) return [];
  return [...shortcodesIn(...texts)].filter((c) => table.has(c)).sort().map((c) => table.get(c)!);
}
