import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NodeSqliteDatabase } from "../../src/adapters/db/sqlite-driver.ts";

describe("NodeSqliteDatabase", () => {
  it("reads rows as plain objects (as pg's) with 64-bit integers exact, nulls, text and blobs", () => {
    const db = new NodeSqliteDatabase(":memory:");
    try {
      db.raw.exec("create table t (id integer primary key, name text, n integer, b blob)");
      const insert = db.prepare("insert into t (id, name, n, b) values (?, ?, ?, ?)");
      assert.equal(insert.reader, false);
      assert.equal(Number(insert.run([117715233954059017n, "ä \"quoted\"", null, new Uint8Array([1, 2])]).changes), 1);
      insert.run([2n, "two", true, null]);
      const select = db.prepare("select id, name, n, b from t order by id");
      assert.equal(select.reader, true);
      const rows = select.all([]) as Record<string, unknown>[];
      assert.deepEqual(rows.map((r) => Object.keys(r)), [["id", "name", "n", "b"], ["id", "name", "n", "b"]]);
      assert.deepEqual(rows[0], { id: 2n, name: "two", n: 1n, b: null });
      assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
      assert.equal(rows[1].id, 117715233954059017n);
      assert.equal(rows[1].name, "ä \"quoted\"");
      assert.equal(rows[1].n, null);
      assert.deepEqual([...(rows[1].b as Uint8Array)], [1, 2]);
      assert.deepEqual([...select.iterate([])].map((r) => (r as { id: bigint }).id), [2n, 117715233954059017n]);
    } finally {
      db.close();
    }
  });

  it("lets a later column of the same name win, and keeps a column named __proto__ a plain property", () => {
    const db = new NodeSqliteDatabase(":memory:");
    try {
      assert.deepEqual(db.prepare("select 1 as a, 2 as a, 3 as \"b c\"").all([]), [{ a: 2n, "b c": 3n }]);
      const [row] = db.prepare("select 'x' as __proto__, 5 as y").all([]) as Record<string, unknown>[];
      assert.notEqual(Object.getPrototypeOf(row), "x");
      assert.equal(Object.getOwnPropertyDescriptor(row, "__proto__")?.value, "x");
      assert.equal(row.y, 5n);
    } finally {
      db.close();
    }
  });
});
