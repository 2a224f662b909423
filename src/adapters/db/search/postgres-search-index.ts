import { sql, type Kysely } from "kysely";
import type { SearchTerms, StatusSearchQuery } from "../../../ports/search.ts";
import { queryCandidates } from "./candidates.ts";
import { CoalescedSearchIndex } from "./entry-writes.ts";

/**
 * A tsquery: each word a quoted lexeme (so nothing in it is read as an operator), phrases with `<->`, joined with `&`, excluded
 * ones as `& !word`. The 'simple' configuration: no stemming and no stop words, so every language matches its
 * own words as written.
 */
function tsQuery(terms: SearchTerms): string {
  const lexeme = (w: string) => `'${w.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  const phrases = terms.phrases.map((p) => `(${p.map(lexeme).join(" <-> ")})`);
  return [...terms.words.map(lexeme), ...phrases, ...terms.excluded.map((w) => `!${lexeme(w)}`)].join(" & ");
}

/** SearchIndex over PostgreSQL: a tsvector per status with a GIN index (see migration 0009). */
export class PostgresSearchIndex extends CoalescedSearchIndex {
  #db: Kysely<any>;
  constructor(db: Kysely<any>) {
    super();
    this.#db = db;
  }

  protected async writeEntries(indexed: readonly { statusId: bigint; text: string }[], removed: readonly bigint[]): Promise<void> {
    if (removed.length > 0) await sql`delete from status_search where status_id = any(${removed}::bigint[])`.execute(this.#db);
    if (indexed.length === 0) return;
    const values = sql.join(indexed.map((e) => sql`(${e.statusId}::bigint, ${e.text}::text)`));
    // A status deleted before its index job ran has no row to point at: nothing to index then.
    await sql`insert into status_search (status_id, document)
      select s.id, to_tsvector('simple', v.body) from (values ${values}) as v (id, body) join statuses s on s.id = v.id
      on conflict (status_id) do update set document = excluded.document`.execute(this.#db);
  }

  async query(q: StatusSearchQuery): Promise<bigint[]> {
    if (q.terms.words.length === 0 && q.terms.phrases.length === 0) return [];
    return queryCandidates(this.#db, sql`status_search f`, sql`f.status_id`, sql`f.document @@ to_tsquery('simple', ${tsQuery(q.terms)})`, q);
  }
}

/**
 * Fills the PostgreSQL index from the statuses table in one statement, as refreshSearchEntry would entry by
 * entry: after `herd admin db copy`, whose SQLite source keeps its index in an FTS5 table that cannot be copied.
 */
export async function rebuildPostgresSearchIndex(db: Kysely<any>): Promise<void> {
  await sql`insert into status_search (status_id, document)
    select id, to_tsvector('simple', spoiler_text || ' ' || case when uri is null then text else regexp_replace(text, '<[^>]*>', ' ', 'g') end)
    from statuses where deleted_at is null and reblog_of_id is null
    on conflict (status_id) do update set document = excluded.document`.execute(db);
}
