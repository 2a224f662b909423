import { CompiledQuery, type Kysely } from "kysely";
import type { StateWanted, ViewerStanding } from "../../../ports/repositories/timelines.ts";
import type { Tables } from "../schema.ts";
import { toId } from "./convert.ts";
import { collectViewerState, emptyViewerState } from "./viewer-state-sql.ts";

/** One feed page's question: how `viewerId` stands with the page's authors, and its state of the page's statuses. */
export interface StandingQuery {
  readonly viewerId: bigint;
  readonly authorIds: readonly bigint[];
  readonly now: number;
  readonly wanted?: StateWanted;
}

/*
 * The questions of several pages (of any viewers) in one PostgreSQL statement, for a ReadCoalescer: each page's
 * pairs go in as parallel arrays tagged with the page's place in the batch (`q`), and each answer row comes back
 * tagged. The branches are those of STANDING_SQL (timelines.ts) and viewerStateSql, pair by pair: hidden ("h":
 * blocked either way, muted, suspended, or on a blocked domain), followed ("f"), and the state rows. One text
 * for any number of pages and lengths, so it is prepared once per connection. A mute's expiry is judged at the
 * latest `now` of the batch: as if the earlier pages had been read a moment later.
 */
const BATCHED_STANDING_SQL = `
      with pa as (select * from unnest(cast($1 as int[]), cast($2 as bigint[]), cast($3 as bigint[])) as p(q, v, a)),
        ps as (select * from unnest(cast($4 as int[]), cast($5 as bigint[]), cast($6 as bigint[])) as p(q, v, s)),
        pc as (select * from unnest(cast($7 as int[]), cast($8 as bigint[]), cast($9 as bigint[])) as p(q, v, c))
      select p.q, 'h' as k, p.a as t from pa p
        where exists (select 1 from blocks b where b.account_id = p.v and b.target_account_id = p.a)
          or exists (select 1 from blocks b where b.account_id = p.a and b.target_account_id = p.v)
          or exists (select 1 from mutes m where m.account_id = p.v and m.target_account_id = p.a and (m.expires_at is null or m.expires_at > $10))
          or exists (select 1 from accounts a where a.id = p.a and (a.suspended_at is not null
            or exists (select 1 from account_domain_blocks d where d.account_id = p.v and d.domain = lower(a.domain))))
      union all select p.q, 'f', p.a from pa p join follows f on f.account_id = p.v and f.target_account_id = p.a
      union all select p.q, 'sf', p.s from ps p join favourites f on f.account_id = p.v and f.status_id = p.s
      union all select p.q, 'sb', p.s from ps p join bookmarks b on b.account_id = p.v and b.status_id = p.s
      union all select p.q, 'sr', p.s from ps p join statuses s on s.account_id = p.v and s.reblog_of_id = p.s and s.deleted_at is null
      union all select p.q, 'sp', p.s from ps p join status_pins x on x.account_id = p.v and x.status_id = p.s
      union all select p.q, 'sm', p.c from pc p join conversation_mutes x on x.account_id = p.v and x.conversation_id = p.c`;

/** Parallel arrays of (page, viewer, item) triples. */
class Triples {
  readonly q: number[] = [];
  readonly v: string[] = [];
  readonly x: string[] = [];
  add(page: number, viewerId: bigint, items: readonly bigint[]): void {
    const viewer = String(viewerId);
    for (const item of items) {
      this.q.push(page);
      this.v.push(viewer);
      this.x.push(String(item));
    }
  }
}

/** The answers to `queries`, in their order, from one statement on PostgreSQL. */
export async function batchedViewerStanding(db: Kysely<Tables>, queries: readonly StandingQuery[]): Promise<ViewerStanding[]> {
  const authors = new Triples();
  const statuses = new Triples();
  const conversations = new Triples();
  let now = 0;
  queries.forEach((query, page) => {
    authors.add(page, query.viewerId, query.authorIds);
    if (query.wanted) {
      statuses.add(page, query.viewerId, query.wanted.statusIds);
      conversations.add(page, query.viewerId, query.wanted.conversationIds);
    }
    now = Math.max(now, query.now);
  });
  const answers = queries.map((query) => ({
    hidden: new Set<bigint>(),
    following: new Set<bigint>(),
    state: query.wanted ? emptyViewerState() : null,
  }));
  if (authors.q.length + statuses.q.length > 0) {
    const parameters = [authors.q, authors.v, authors.x, statuses.q, statuses.v, statuses.x, conversations.q, conversations.v, conversations.x, now];
    const { rows } = await db.executeQuery<{ q: number; k: string; t: string | bigint }>(CompiledQuery.raw(BATCHED_STANDING_SQL, parameters));
    for (const row of rows) {
      const answer = answers[Number(row.q)];
      if (answer.state && collectViewerState(answer.state, row.k, row.t)) continue;
      (row.k === "f" ? answer.following : answer.hidden).add(toId(row.t));
    }
  }
  return answers.map(({ hidden, following, state }) => ({ hidden, following, ...(state ? { state } : {}) }));
}
