import type { Context } from "hono";
import { parseId } from "../../domain/ids.ts";

/** Mastodon's paging parameters: ids are exclusive bounds; `min_id` pages forward from a point, `since_id` does not. */
export interface PageParams {
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

/** Reads max_id, since_id, min_id and limit (clamped to 1..max; default when absent or not a number). */
export function readPage(c: Context, defaults: { limit: number; max: number }): PageParams {
  const id = (name: string) => parseId(c.req.query(name) ?? "") ?? undefined;
  const raw = Number.parseInt(c.req.query("limit") ?? "", 10);
  const limit = Number.isFinite(raw) ? Math.min(Math.max(raw, 1), defaults.max) : defaults.limit;
  return { maxId: id("max_id"), sinceId: id("since_id"), minId: id("min_id"), limit };
}

/**
 * Sets the Link header Mastodon clients follow: `next` pages to older items (max_id = the oldest id shown),
 * `prev` to newer ones (min_id = the newest id shown). The ids are the paging keys, which for relationship lists
 * are the relationship's id, not the account's. Other query parameters are kept. No header for an empty page.
 * Links use `baseUrl` (the instance's public URL).
 */
export function setPageLinks(c: Context, baseUrl: string, keys: { newest: bigint; oldest: bigint } | null): void {
  if (!keys) return;
  // The public URL, not the one the request reached Herd by (behind a proxy that is http://127.0.0.1:3000).
  // Every page sets this header: the query is taken apart once and the two links are joined as text.
  const url = c.req.url;
  const at = url.indexOf("?");
  const params = new URLSearchParams(at < 0 ? "" : url.slice(at + 1));
  for (const p of ["max_id", "since_id", "min_id"]) params.delete(p);
  const rest = params.toString();
  const start = `${new URL(c.req.path, baseUrl).href}?${rest === "" ? "" : `${rest}&`}`;
  c.header("Link", `<${start}max_id=${keys.oldest}>; rel="next", <${start}min_id=${keys.newest}>; rel="prev"`);
}
