import { sql, type Kysely, type RawBuilder } from "kysely";
import type { StatusSearchQuery } from "../../../ports/search.ts";
import { toId } from "../repositories/convert.ts";

/**
 * Runs the query both engines share around their own match: candidates (public statuses of indexable authors,
 * the searcher's own, those mentioning the searcher, and those the searcher favourited, bookmarked or boosted:
 * Mastodon's `searchable_by`), the author filter, id bounds, newest first, the page.
 * `from` names the engine's index table as `f`, `matchedId` is its status id column, `match` its predicate.
 */
export async function queryCandidates(
  db: Kysely<any>,
  from: RawBuilder<unknown>,
  matchedId: RawBuilder<unknown>,
  match: RawBuilder<unknown>,
  q: StatusSearchQuery,
): Promise<bigint[]> {
  const parts: RawBuilder<unknown>[] = [
    match,
    sql`s.deleted_at is null`,
    sql`((s.visibility = 'public' and a.indexable = ${true}) or s.account_id = ${q.viewerId}
      or exists (select 1 from mentions m where m.status_id = s.id and m.account_id = ${q.viewerId})
      or exists (select 1 from favourites fv where fv.status_id = s.id and fv.account_id = ${q.viewerId})
      or exists (select 1 from bookmarks bm where bm.status_id = s.id and bm.account_id = ${q.viewerId})
      or exists (select 1 from statuses rb where rb.reblog_of_id = s.id and rb.account_id = ${q.viewerId} and rb.deleted_at is null))`,
  ];
  if (q.accountId !== undefined) parts.push(sql`s.account_id = ${q.accountId}`);
  if (q.maxId !== undefined) parts.push(sql`s.id < ${q.maxId}`);
  if (q.minId !== undefined) parts.push(sql`s.id > ${q.minId}`);
  const result = await sql<{ id: bigint | string }>`select s.id from ${from}
    join statuses s on s.id = ${matchedId} join accounts a on a.id = s.account_id
    where ${sql.join(parts, sql` and `)} order by s.id desc limit ${q.limit} offset ${q.offset}`.execute(db);
  return result.rows.map((r) => toId(r.id));
}
