import type { Context } from "hono";

/** `offset` and `limit` of Mastodon's offset-paged lists: limit clamped to 1..max (default when absent), offset ≥ 0. */
export function readOffsetPage(c: Context, defaults: { limit: number; max: number }): { offset: number; limit: number } {
  const rawLimit = Number.parseInt(c.req.query("limit") ?? "", 10);
  const rawOffset = Number.parseInt(c.req.query("offset") ?? "", 10);
  return {
    limit: Number.isFinite(rawLimit) ? Math.min(Math.max(rawLimit, 1), defaults.max) : defaults.limit,
    offset: Number.isFinite(rawOffset) ? Math.min(Math.max(rawOffset, 0), 100_000) : 0,
  };
}

/**
 * The Link header of an offset-paged list, as Mastodon's trends set it: `next` when the page was full, `prev` when
 * it did not start at the beginning.
 */
export function setOffsetLinks(c: Context, baseUrl: string, page: { offset: number; limit: number }, count: number): void {
  const url = new URL(c.req.path + new URL(c.req.url).search, baseUrl);
  const at = (offset: number) => {
    const u = new URL(url);
    u.searchParams.set("offset", String(offset));
    return u.toString();
  };
  const links: string[] = [];
  if (count >= page.limit) links.push(`<${at(page.offset + page.limit)}>; rel="next"`);
  if (page.offset > 0) links.push(`<${at(Math.max(0, page.offset - page.limit))}>; rel="prev"`);
  if (links.length > 0) c.header("Link", links.join(", "));
}
