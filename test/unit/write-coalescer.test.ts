import assert from "node:assert/strict";
import { test } from "node:test";
import { WriteCoalescer } from "../../src/adapters/db/write-coalescer.ts";

/** A write that records its batches and finishes when `release` is called. */
function gatedWriter(fail?: (items: readonly number[]) => boolean) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const write = (items: readonly number[]) => {
    batches.push([...items]);
    return new Promise<void>((resolve, reject) => gates.push(() => (fail?.(items) ? reject(new Error(`bad ${items.join(",")}`)) : resolve())));
  };
  const releaseAll = async () => {
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { batches, write, releaseAll };
}

test("a write with none in flight starts at once, alone", async () => {
  const w = gatedWriter();
  const c = new WriteCoalescer(w.write, 10);
  const done = c.write([1]);
  assert.deepEqual(w.batches, [[1]]);
  await w.releaseAll();
  await done;
});

test("writes asked for while one is in flight go together in one batch, in order", async () => {
  const w = gatedWriter();
  const c = new WriteCoalescer(w.write, 10);
  const all = [c.write([1]), c.write([2, 3]), c.write([4])];
  assert.deepEqual(w.batches, [[1]]);
  await w.releaseAll();
  await Promise.all(all);
  assert.deepEqual(w.batches, [[1], [2, 3, 4]]);
});

test("a batch holds at most maxItems, except one caller's own larger write", async () => {
  const w = gatedWriter();
  const c = new WriteCoalescer(w.write, 3);
  const all = [c.write([0]), c.write([1, 2]), c.write([3, 4]), c.write([5, 6, 7, 8]), c.write([9])];
  await w.releaseAll();
  await Promise.all(all);
  assert.deepEqual(w.batches, [[0], [1, 2], [3, 4], [5, 6, 7, 8], [9]]);
});

test("a failed batch is retried caller by caller: only the bad caller's promise rejects", async () => {
  const w = gatedWriter((items) => items.includes(3));
  const c = new WriteCoalescer(w.write, 10);
  const first = c.write([1]);
  const good = c.write([2]);
  const bad = c.write([3]);
  const after = c.write([4]);
  const outcomes = Promise.allSettled([first, good, bad, after]);
  await w.releaseAll();
  const [r1, r2, r3, r4] = await outcomes;
  assert.equal(r1.status, "fulfilled");
  assert.equal(r2.status, "fulfilled");
  assert.equal(r3.status, "rejected");
  assert.match(String((r3 as PromiseRejectedResult).reason), /bad 3/);
  assert.equal(r4.status, "fulfilled");
  assert.deepEqual(w.batches, [[1], [2, 3, 4], [2], [3], [4]]);
});

test("after a drain the next write starts at once again", async () => {
  const w = gatedWriter();
  const c = new WriteCoalescer(w.write, 10);
  const a = c.write([1]);
  await w.releaseAll();
  await a;
  const b = c.write([2]);
  assert.deepEqual(w.batches, [[1], [2]]);
  await w.releaseAll();
  await b;
});
