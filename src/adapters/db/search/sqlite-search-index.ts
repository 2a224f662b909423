import { sql, type Kysely } from "kysely";
import type { SearchIndex, SearchTerms, StatusSearchQuery } from "../../../ports/search.ts";
import { WriteCoalescer } from "../write-coalescer.ts";
import { queryCandidates } from "./candidates.ts";
import { latestEntries, type SearchEntryWrite } from "./entry-writes.ts";

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
export class SqliteSearchIndex implements SearchIndex {
  #db: Kysely<any>;
  // Entries written at the same moment share a statement, and so one commit of the write-ahead log.
  #writes = new WriteCoalescer<SearchEntryWrite>((items) => this.#write(items), 500);
  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  index(statusId: bigint, text: string): Promise<void> {
    return this.#writes.write([{ statusId, text }]);
  }

  remove(statusId: bigint): Promise<void> {
    return this.#writes.write([{ statusId, text: null }]);
  }

  async #write(items: readonly SearchEntryWrite[]): Promise<void> {
    const { indexed, removed } = latestEntries(items);
    if (removed.length > 0) await sql`delete from status_search where rowid in (${sql.join(removed)})`.execute(this.#db);
    if (indexed.length === 0) return;
    await sql`insert or replace into status_search (rowid, body) values ${sql.join(indexed.map((e) => sql`(${e.statusId}, ${e.text})`))}`.execute(this.#db);
  }

  async query(q: StatusSearchQuery): Promise<bigint[]> {
    if (q.terms.words.length === 0 && q.terms.phrases.length === 0) return [];
    return queryCandidates(this.#db, sql`status_search f`, sql`f.rowid`, sql`status_search match ${matchExpression(q.terms)}`, q);
  }
}
