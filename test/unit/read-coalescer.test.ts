import assert from "node:assert/strict";
import { test } from "node:test";
import { ReadCoalescer, rowsByIds } from "../../src/adapters/db/read-coalescer.ts";

type Row = { id: bigint; name: string };

/** A table of rows 1..9 whose reads record the ids of each statement and finish when released. */
function gatedTable(fail?: (ids: readonly bigint[]) => boolean) {
  const statements: bigint[][] = [];
  const gates: (() => void)[] = [];
  const read = (ids: readonly bigint[]) => {
    statements.push([...ids]);
    return new Promise<Row[]>((resolve, reject) =>
      gates.push(() =>
        fail?.(ids) ? reject(new Error(`bad ${ids.join(",")}`)) : resolve(ids.filter((id) => id >= 1n && id <= 9n).map((id) => ({ id, name: `row ${id}` }))),
      ),
    );
  };
  const releaseAll = async () => {
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { statements, releaseAll, coalescer: (max = 100) => new ReadCoalescer(rowsByIds(read, (r: Row) => r.id), (ids: readonly bigint[]) => ids.length, max) };
}

const names = (rows: readonly Row[]) => rows.map((r) => r.name);

test("a read with none in flight goes at once, alone", async () => {
  const t = gatedTable();
  const c = t.coalescer();
  const rows = c.read([2n, 3n]);
  assert.deepEqual(t.statements, [[2n, 3n]]);
  await t.releaseAll();
  assert.deepEqual(names(await rows), ["row 2", "row 3"]);
});

test("reads asked for while one is in flight share one statement, and each gets only its own rows", async () => {
  const t = gatedTable();
  const c = t.coalescer();
  const first = c.read([1n]);
  const a = c.read([2n, 3n, 42n]);
  const b = c.read([3n, 4n, 3n]);
  assert.equal(t.statements.length, 1, "the later reads wait for the one in flight");
  await t.releaseAll();
  assert.deepEqual(t.statements, [[1n], [2n, 3n, 42n, 4n]], "one statement, each id once");
  assert.deepEqual(names(await first), ["row 1"]);
  assert.deepEqual(names(await a), ["row 2", "row 3"], "a missing id gives no row");
  assert.deepEqual(names(await b), ["row 3", "row 4"], "an id asked for twice gives its row once");
});

test("a batch holds at most the maximum, except one caller's own larger read", async () => {
  const t = gatedTable();
  const c = t.coalescer(3);
  const reads = [c.read([1n]), c.read([2n, 3n]), c.read([4n, 5n]), c.read([5n, 6n, 7n, 8n]), c.read([9n])];
  await t.releaseAll();
  await Promise.all(reads);
  assert.deepEqual(t.statements, [[1n], [2n, 3n], [4n, 5n], [5n, 6n, 7n, 8n], [9n]]);
});

test("a failed statement fails every read that shared it, and the next reads go on", async () => {
  const t = gatedTable((ids) => ids.includes(3n));
  const c = t.coalescer();
  const first = c.read([1n]);
  const a = c.read([2n]);
  const b = c.read([3n]);
  const outcomes = Promise.allSettled([first, a, b]);
  await t.releaseAll();
  const [r1, r2, r3] = await outcomes;
  assert.equal(r1.status, "fulfilled");
  assert.equal(r2.status, "rejected");
  assert.equal(r3.status, "rejected");
  assert.match(String((r3 as PromiseRejectedResult).reason), /bad 2,3/);
  const later = c.read([4n]);
  await t.releaseAll();
  assert.deepEqual(names(await later), ["row 4"]);
});
