import { CompiledQuery, PostgresAdapter, sql, type Compilable, type Kysely, type RawBuilder } from "kysely";

/** Whether a Kysely handle (or transaction) talks to PostgreSQL. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * "is one of these ids", to follow a column: `= any($1)` with one array parameter on PostgreSQL (planned in about
 * half the time of a long IN list, which matters when a query repeats it), `in (?, ?, …)` on SQLite.
 */
export function inIds(db: Kysely<any>, ids: readonly bigint[]): RawBuilder<unknown> {
  if (isPostgres(db)) return sql`= any(cast(${ids.map(String)} as bigint[]))`;
  return sql`in (${sql.join([...ids])})`;
}

// By text, then engine and list lengths: the texts are constants, whose hash a lookup need not compute again.
const writtenSql = new Map<string, Map<string, string>>();

/**
 * Runs SQL written by hand over lists of ids, for the hottest reads (every page of statuses), where building and
 * compiling the query with Kysely cost as much as running it. In `text`, `{0}`, `{1}`… stand for `fixed` (each
 * may appear several times) and `{ids}`, `{ids1}`…, following a column, for "is one of `lists[0]`, `lists[1]`…"
 * as inIds writes it. The engine's text is made once per list lengths: numbered parameters, so a value repeated
 * in the query is bound once.
 */
export async function runWithIds<R>(db: Kysely<any>, text: string, fixed: readonly unknown[], ...lists: (readonly bigint[])[]): Promise<R[]> {
  const pg = isPostgres(db);
  let forText = writtenSql.get(text);
  if (forText === undefined) {
    if (writtenSql.size >= 200) writtenSql.clear();
    writtenSql.set(text, (forText = new Map()));
  }
  // PostgreSQL binds each list as one array: its text does not depend on the lengths.
  const key = pg ? "pg" : lists.map((l) => l.length).join(",");
  let compiled = forText.get(key);
  if (compiled === undefined) {
    let next = fixed.length + 1;
    const written = lists.map((list) => {
      if (pg) return `= any(cast($${next++} as bigint[]))`;
      const first = next;
      next += list.length;
      return `in (${list.map((_, i) => `?${first + i}`).join(", ")})`;
    });
    compiled = text
      .replace(/\{ids(\d*)\}/g, (_, n: string) => written[n === "" ? 0 : Number(n)])
      .replace(/\{(\d+)\}/g, (_, i: string) => (pg ? "$" : "?") + (Number(i) + 1));
    if (forText.size >= 200) forText.clear();
    forText.set(key, compiled);
  }
  const parameters = [...fixed];
  for (const list of lists) {
    if (pg) parameters.push(list.map(String));
    else parameters.push(...list);
  }
  return (await db.executeQuery<R>(CompiledQuery.raw(compiled, parameters))).rows as R[];
}

/**
 * The SQL text of a query built with Kysely and without parameters (a select list, its joins), compiled once per
 * engine: the start of a runWithIds text, so a hot read keeps Kysely's typed column list without paying for
 * building and compiling it on every call.
 */
export function kyselyText(build: (db: Kysely<any>) => Compilable<unknown>): (db: Kysely<any>) => string {
  const texts = new Map<boolean, string>();
  return (db) => {
    const pg = isPostgres(db);
    let text = texts.get(pg);
    if (text === undefined) {
      const compiled = build(db).compile();
      if (compiled.parameters.length > 0) throw new Error(`kyselyText takes a query without parameters: ${compiled.sql}`);
      text = compiled.sql;
      texts.set(pg, text);
    }
    return text;
  };
}

/**
 * `base`'s text for the engine followed by `suffix`, made once per engine: runWithIds looks its texts up by
 * value, and a text joined anew on every call would be hashed anew on every call.
 */
export function textWith(base: (db: Kysely<any>) => string, suffix: string): (db: Kysely<any>) => string {
  const texts = new Map<boolean, string>();
  return (db) => {
    const pg = isPostgres(db);
    let text = texts.get(pg);
    if (text === undefined) texts.set(pg, (text = `${base(db)}${suffix}`));
    return text;
  };
}
