import { shortcodesIn } from "./custom-emoji.ts";

/**
 * Where a remote emoji sits in a table of rendered emojis shared with the local ones: `shortcode@domain`, as
 * Mastodon names remote emojis in reactions. A local shortcode never contains `@`, so the two never collide.
 */
export function remoteEmojiKey(shortcode: string, domain: string): string {
  return `${shortcode}@${domain}`;
}

/** The entities of `table` that `texts` of an account or post of `domain` use, in shortcode order. */
export function remoteEmojisIn<T>(table: ReadonlyMap<string, T> | undefined, domain: string, ...texts: readonly string[]): T[] {
  if (!table || table.size === 0) return [];
  const out: T[] = [];
  for (const code of [...shortcodesIn(...texts)].sort()) {
    const e = table.get(remoteEmojiKey(code, domain));
    if (e !== undefined) out.push(e);
  }
  return out;
}
