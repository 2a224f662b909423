import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { NodeSqliteDatabase, tablesChangedBy } from "../../src/adapters/db/sqlite-driver.ts";
import { SqliteRowCache } from "../../src/adapters/db/sqlite-row-cache.ts";
import { SqliteDatabase } from "../../src/adapters/db/sqlite-database.ts";
import { migrateToLatest } from "../../src/adapters/db/migrations/index.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { quietLog } from "../support/backends.ts";

describe("tablesChangedBy", () => {
  it("names the tables whose rows a statement may change or remove, and none for reads and inserts", () => {
    assert.deepEqual(tablesChangedBy(`update "statuses" set "favourites_count" = 1 where "id" = ?`), ["u:statuses"]);
    assert.deepEqual(tablesChangedBy("UPDATE OR IGNORE follows SET x = 1"), ["u:follows"]);
    assert.deepEqual(tablesChangedBy("with x as (select 1) update mutes set a = 1"), ["u:mutes"]);
    assert.deepEqual(tablesChangedBy("insert or replace into leases values (1)"), ["u:leases"]);
    assert.ok(tablesChangedBy(`insert into "counters" ("name") values (?) on conflict ("name") do update set "value" = 1`).includes("u:counters"));
    assert.deepEqual(tablesChangedBy(`delete from "accounts" where id = ?`), ["d:accounts"]);
    assert.deepEqual(tablesChangedBy(`alter table "statuses" add column "x" text`), ["*"], "a schema change counts for every table");
    assert.deepEqual(tablesChangedBy("insert into statuses (id) values (?)"), []);
    assert.deepEqual(tablesChangedBy("select * from statuses where updated_at > ? and deleted_at is null"), []);
  });
});

describe("SqliteRowCache", () => {
  let dir: string;
  let db: NodeSqliteDatabase;
  let reads: bigint[][];
  const table = () => new SqliteRowCache<{ id: bigint; n: bigint }>(db, "t", 100);
  const load = (missing: readonly bigint[]) => {
    reads.push([...missing]);
    return Promise.resolve(db.prepare(`select id, n from t where id in (${missing.map(() => "?").join(", ")})`).all([...missing]) as { id: bigint; n: bigint }[]);
  };
  const read = (cache: SqliteRowCache<{ id: bigint; n: bigint }>, ids: bigint[]) => cache.read(ids, load, (r) => r.id);
  const values = (rows: { id: bigint; n: bigint }[]) => rows.map((r) => [r.id, r.n]).sort((a, b) => Number(a[0] - b[0]));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "herd-rowcache-"));
    db = new NodeSqliteDatabase(join(dir, "db.sqlite3"));
    db.raw.exec(`pragma journal_mode = wal; pragma foreign_keys = on; create table parent (id integer primary key);
      create table grandparent (id integer primary key); create table middle (id integer primary key, g integer references grandparent (id) on delete cascade);
      create table t (id integer primary key, n integer, p integer references parent (id) on delete set null, m integer references middle (id) on delete cascade);
      create table other (id integer primary key)`);
    db.prepare("insert into t (id, n) values (1, 10), (2, 20), (3, 30)").run([]);
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers kept rows from memory, and reads only those it does not keep", async () => {
    reads = [];
    const cache = table();
    assert.deepEqual(values(await read(cache, [1n, 2n])), [[1n, 10n], [2n, 20n]]);
    assert.deepEqual(values(await read(cache, [1n, 2n, 3n, 9n])), [[1n, 10n], [2n, 20n], [3n, 30n]]);
    assert.deepEqual(reads, [[1n, 2n], [3n, 9n]]);
    db.prepare("insert into t (id, n) values (4, 40)").run([]);
    db.prepare("update other set id = id").run([]);
    assert.deepEqual(values(await read(cache, [1n, 4n])), [[1n, 10n], [4n, 40n]], "a new row or another table's change forgets nothing");
    assert.deepEqual(reads.at(-1), [4n]);
  });

  it("forgets every row after a statement of this connection that may change the table's rows, directly or by foreign key", async () => {
    reads = [];
    const cache = table();
    await read(cache, [1n, 2n]);
    db.prepare("update t set n = n + 1 where id = 1").run([]);
    assert.deepEqual(values(await read(cache, [1n, 2n])), [[1n, 11n], [2n, 20n]]);
    assert.equal(reads.length, 2, "a change makes the next read go to the table");
    db.prepare("delete from other where id = 99").run([]);
    db.prepare("update parent set id = id where id = 99").run([]);
    await read(cache, [1n, 2n]);
    assert.equal(reads.length, 2, "a delete from an unrelated table, or an update its keys do not follow, forgets nothing");
    for (const sql of ["delete from parent where id = 99", "delete from grandparent where id = 99", "delete from t where id = 99"]) {
      db.prepare(sql).run([]);
      await read(cache, [1n, 2n]);
    }
    assert.equal(reads.length, 5, "deletes that reach the table (SET NULL, a chain of cascades, its own) each forget");
    assert.deepEqual(values(await read(cache, [2n, 1n, 2n])), [[1n, 11n], [2n, 20n]], "an id asked for twice is answered once");
    assert.equal(reads.length, 5);
  });

  it("forgets every row after another connection (the admin CLI) commits", async () => {
    reads = [];
    const cache = table();
    await read(cache, [2n]);
    const other = new DatabaseSync(join(dir, "db.sqlite3"));
    other.exec("update t set n = 21 where id = 2");
    other.close();
    // Another process's commit reaches this one through I/O, which runs as a task of its own.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(values(await read(cache, [2n])), [[2n, 21n]]);
  });

  it("does not keep rows read before a change that another read has since noticed", async () => {
    const cache = table();
    await read(cache, [3n]);
    db.prepare("update t set n = 31 where id = 3").run([]);
    // The slow read takes its rows, then a change runs and a quicker read notices it before the slow one ends.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = cache.read([3n], async (missing) => {
      const rows = await load(missing);
      await gate;
      return rows;
    }, (r) => r.id);
    await new Promise((r) => setImmediate(r));
    db.prepare("update t set n = 32 where id = 3").run([]);
    assert.deepEqual(values(await read(cache, [1n])), [[1n, 11n]]);
    release();
    assert.deepEqual(values(await slow), [[3n, 31n]], "the slow read answers what it read");
    assert.deepEqual(values(await read(cache, [3n])), [[3n, 32n]], "but did not keep it");
  });
});

describe("statuses read through the embedded database's cache", () => {
  it("show a change made in a transaction, committed or rolled back, to the next read", async () => {
    const db = new SqliteDatabase(":memory:", systemClock, quietLog);
    try {
      await migrateToLatest(db.kysely, "sqlite");
      const author = await db.nextId();
      await db.kysely
        .insertInto("accounts")
        .values({ id: author, username: "a", username_lower: "a", domain: null, display_name: "", note: "", locked: false, bot: false, created_at: 0, updated_at: 0 })
        .execute();
      const id = await db.nextId();
      await db.repos.statuses.create({
        id, accountId: author, text: "t", spoilerText: "", visibility: "public", sensitive: false, language: null,
        inReplyToId: null, inReplyToAccountId: null, applicationId: null, reblogOfId: null, conversationId: id, now: 0,
      });
      const count = async () => (await db.repos.statuses.findByIds([id]))[0]?.repliesCount;
      assert.equal(await count(), 0);
      await db.transaction((tx) => tx.statuses.addReplies(id, 1));
      assert.equal(await count(), 1);
      await assert.rejects(db.transaction(async (tx) => {
        await tx.statuses.addReplies(id, 1);
        throw new Error("rolled back");
      }));
      assert.equal(await count(), 1);
      await db.repos.statuses.addReplies(id, 2);
      assert.equal(await count(), 3);
      assert.ok(await db.repos.statuses.softDelete(id, 1));
      assert.deepEqual(await db.repos.statuses.findByIds([id]), [], "a deleted status is gone at once");
    } finally {
      await db.close();
    }
  });
});
