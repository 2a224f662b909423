import { sql, type Kysely } from "kysely";
import type { SearchIndex, SearchTerms, StatusSearchQuery } from "../../../ports/search.ts";
import { queryCandidates } from "./candidates.ts";

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
  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async index(statusId: bigint, text: string): Promise<void> {
    await sql`insert or replace into status_search (rowid, body) values (${statusId}, ${text})`.execute(this.#db);
  }

  async remove(statusId: bigint): Promise<void> {
    await sql`delete from status_search where rowid = ${statusId}`.execute(this.#db);
  }

  async query(q: StatusSearchQuery): Promise<bigint[]> {
    if (q.terms.words.length === 0 && q.terms.phrases.length === 0) return [];
    return queryCandidates(this.#db, sql`status_search f`, sql`f.rowid`, sql`status_search match ${matchExpression(q.terms)}`, q);
  }
}
