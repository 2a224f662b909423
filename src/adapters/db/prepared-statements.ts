import pg from "pg";

/** A statement is prepared once seen this often: one-off texts (IN lists of every length) stay unprepared. */
const PREPARE_AFTER = 3;
/** Distinct prepared statements per process (and so per connection at most), bounding the server's memory. */
const MAX_PREPARED = 400;

/** What one PostgresDatabase's connections share: which texts are prepared under which names. */
export interface StatementNames {
  /** The name to run `text` under, or null to run it unnamed. */
  nameFor(text: string): string | null;
  /** After the server refused a prepared plan: `text` gets a new name, parsed afresh on every connection. */
  renew(text: string): void;
}

/** Names for the texts this process runs often; `enabled` false (PREPARED_STATEMENTS=false) names none. */
export function statementNames(enabled: boolean): StatementNames {
  const seen = new Map<string, number>();
  const named = new Map<string, string>();
  let next = 0;
  return {
    nameFor(text) {
      if (!enabled) return null;
      const name = named.get(text);
      if (name !== undefined) return name;
      if (named.size >= MAX_PREPARED) return null;
      const count = (seen.get(text) ?? 0) + 1;
      if (count < PREPARE_AFTER) {
        if (seen.size >= 10 * MAX_PREPARED) seen.clear();
        seen.set(text, count);
        return null;
      }
      seen.delete(text);
      const fresh = `herd_${(next++).toString(36)}`;
      named.set(text, fresh);
      return fresh;
    },
    renew(text) {
      if (named.has(text)) named.set(text, `herd_${(next++).toString(36)}`);
    },
  };
}

/** "cached plan must not change result type": a table a prepared `select *` reads gained or lost a column. */
const isStalePlan = (error: unknown) => (error as { code?: string } | null)?.code === "0A000" && /cached plan/.test(String((error as Error).message));

/**
 * A pg Client that runs the parameterised statements this process repeats as named (prepared) statements, as
 * Rails does for Mastodon: PostgreSQL then parses and plans each once per connection instead of on every run,
 * which for the short queries of a timeline page costs more than executing them. pg itself keeps track of which
 * names each connection has parsed; this only chooses the names. Hand-written because neither Kysely nor pg
 * chooses names for repeated texts.
 *
 * A migration run while this process is up can change what a prepared `select *` returns; PostgreSQL then
 * refuses the old plan. The statement is retried once under a new name when that happens outside a
 * transaction; inside one the transaction fails as usual (the next attempt gets the new name).
 */
export function preparingClient(names: StatementNames): typeof pg.Client {
  class PreparingClient extends pg.Client {}
  const base = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (PreparingClient.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]): unknown {
    const [text, values] = args;
    // Kysely calls query(sql, parameters) and awaits the promise; anything else goes through as it came.
    if (typeof text !== "string" || !Array.isArray(values) || values.length === 0 || args.length > 2) return base.apply(this, args);
    const name = names.nameFor(text);
    if (name === null) return base.apply(this, args);
    const run = (n: string) => base.call(this, { name: n, text, values }) as Promise<pg.QueryResult>;
    return run(name).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      names.renew(text);
      const renewed = names.nameFor(text);
      // Only outside a transaction ("I"dle): inside one the failed statement aborted it, and a retry would fail too.
      const status = (this as unknown as { getTransactionStatus(): string | null }).getTransactionStatus();
      if (renewed === null || status !== "I") throw error;
      return run(renewed);
    });
  };
  return PreparingClient;
}
