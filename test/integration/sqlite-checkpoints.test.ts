import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { SqliteCheckpointer } from "../../src/adapters/db/sqlite-checkpointer.ts";
import { SqliteDatabase } from "../../src/adapters/db/sqlite-database.ts";
import { systemClock } from "../../src/ports/clock.ts";

const dir = mkdtempSync(join(tmpdir(), "herd-checkpoints-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { error: () => {} };
const walBytes = (path: string) => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

/** Writes `rounds` transactions of ~1 MB each to a fresh WAL database, pausing between them. */
async function writeRounds(db: DatabaseSync, rounds: number, pauseMs: number): Promise<void> {
  db.exec("create table if not exists blobs (id integer primary key, body text)");
  const insert = db.prepare("insert into blobs (body) values (?)");
  for (let r = 0; r < rounds; r++) {
    db.exec("begin");
    for (let i = 0; i < 256; i++) insert.run("x".repeat(4_000));
    db.exec("commit");
    await sleep(pauseMs);
  }
}

describe("SQLite checkpoints on their own thread", () => {
  it("keep the write-ahead log from growing while the connection's own checkpoints are off", async () => {
    const path = join(dir, "with.sqlite3");
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0");
    const failures: string[] = [];
    const checkpointer = new SqliteCheckpointer(path, (reason) => failures.push(reason), 50);
    await writeRounds(db, 12, 250);
    const withThread = walBytes(path);
    await checkpointer.stop();
    db.close();

    // The same writes with nothing checkpointing: the log holds all of them.
    const bare = join(dir, "without.sqlite3");
    const other = new DatabaseSync(bare);
    other.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
    await writeRounds(other, 12, 0);
    const without = walBytes(bare);
    other.close();

    assert.deepEqual(failures, []);
    assert.ok(without > 10_000_000, `without checkpoints the log holds every write (${without} bytes)`);
    assert.ok(withThread < without / 3, `the thread's checkpoints let the log restart (${withThread} vs ${without} bytes)`);
  });

  it("stop in the database's close, leaving every row in the file and no log behind", async () => {
    const path = join(dir, "herd.sqlite3");
    const db = new SqliteDatabase(path, systemClock, quiet);
    await sql`create table notes (id integer primary key, body text)`.execute(db.kysely);
    for (let i = 0; i < 50; i++) await sql`insert into notes (body) values (${"note " + i})`.execute(db.kysely);
    await db.close();
    assert.equal(walBytes(path), 0, "the last connection's close checkpointed and removed the log");
    const reopened = new DatabaseSync(path, { readOnly: true });
    assert.equal((reopened.prepare("select count(*) as n from notes").get() as { n: number }).n, 50);
    reopened.close();
  });
});
