import { sql, type Kysely } from "kysely";
import type { SearchTerms, StatusSearchQuery } from "../../../ports/search.ts";
import { queryCandidates } from "./candidates.ts";
import { CoalescedSearchIndex } from "./entry-writes.ts";

/**
 * An FTS5 query: every word a quoted phrase (so no word is read as an operator), phrases as FTS5 phrases,
 * excluded words with NOT.
 */
function matchExpression(terms: SearchTerms): string {
  const quote = (w: string) => `"${w.replace(/"/g, '""')}"`;
  let expr = [...terms.words.map(quote), ...terms.phrases.map((p) => quote(p.join(" ")))].join(" ");
  for (const w of terms.excluded) expr += ` NOT ${quote(w)}`;
  return expr;
}

/** SearchIndex over SQLite's FTS5: a contentless table whose rowid is the status id (see migration 0009). */
export class SqliteSearchIndex extends CoalescedSearchIndex {
  #db: Kysely<any>;
  constructor(db: Kysely<any>) {
    super();
    this.#db = db;
  }

  protected async writeEntries(indexed: readonly { statusId: bigint; text: string }[], removed: readonly bigint[]): Promise<void> {
    if (removed.length > 0) await sql`delete from status_search where rowid in (${sql.join(removed)})`.execute(this.#db);
    if (indexed.length === 0) return;
    await sql`insert or replace into status_search (rowid, body) values ${sql.join(indexed.map((e) => sql`(${e.statusId}, ${e.text})`))}`.execute(this.#db);
  }

  async query(q: StatusSearchQuery): Promise<bigint[]> {
    if (q.terms.words.length === 0 && q.terms.phrases.length === 0) return [];
    return queryCandidates(this.#db, sql`status_search f`, sql`f.rowid`, sql`status_search match ${matchExpression(q.terms)}`, q);
  }
}
