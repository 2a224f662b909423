import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { PostgresDatabase } from "../../src/adapters/db/postgres-database.ts";
import { statementNames } from "../../src/adapters/db/prepared-statements.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { createPostgresDatabaseUrl, quietLog, SKIP_POSTGRES } from "../support/backends.ts";

describe("statement names", () => {
  it("name a text from its third run on, keep the name, and give a new one on renewal", () => {
    const names = statementNames(true);
    assert.equal(names.nameFor("select $1"), null);
    assert.equal(names.nameFor("select $1"), null);
    const name = names.nameFor("select $1");
    assert.match(name ?? "", /^herd_/);
    assert.equal(names.nameFor("select $1"), name);
    names.renew("select $1");
    const renewed = names.nameFor("select $1");
    assert.ok(renewed !== null && renewed !== name);
  });

  it("name nothing when turned off (PREPARED_STATEMENTS=false)", () => {
    const names = statementNames(false);
    for (let i = 0; i < 5; i++) assert.equal(names.nameFor("select $1"), null);
  });
});

describe("prepared statements on PostgreSQL", { skip: SKIP_POSTGRES }, () => {
  let url: { url: string; drop(): Promise<void> };
  before(async () => {
    url = await createPostgresDatabaseUrl();
  });
  after(async () => {
    await url?.drop();
  });

  const prepared = async (db: PostgresDatabase) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db.kysely)).rows.map((r) => r.statement);

  it("run a repeated statement prepared on the connection, and survive a column added under a prepared select *", async () => {
    // One connection, so pg_prepared_statements (per session) shows what the queries did.
    const db = new PostgresDatabase(url.url, 1, systemClock, quietLog);
    try {
      await sql`create table notes (id int primary key, body text)`.execute(db.kysely);
      await sql`insert into notes values (1, 'one')`.execute(db.kysely);
      const read = () => db.kysely.selectFrom("notes" as never).selectAll().where("id" as never, "=", 1 as never).execute() as Promise<Record<string, unknown>[]>;
      for (let i = 0; i < 4; i++) assert.deepEqual(await read(), [{ id: 1, body: "one" }]);
      assert.ok((await prepared(db)).some((s) => /from "notes"/.test(s)), "the select is a prepared statement of the session");

      // A migration elsewhere changes what the prepared select * returns: PostgreSQL refuses the old plan once.
      await sql`alter table notes add column extra int default 7`.execute(db.kysely);
      assert.deepEqual(await read(), [{ id: 1, body: "one", extra: 7 }]);
    } finally {
      await db.close();
    }
  });

  it("prepare nothing with preparedStatements off", async () => {
    const db = new PostgresDatabase(url.url, 1, systemClock, quietLog, { preparedStatements: false });
    try {
      for (let i = 0; i < 4; i++) await sql`select ${i}::int as n`.execute(db.kysely);
      assert.deepEqual(await prepared(db), []);
    } finally {
      await db.close();
    }
  });
});
