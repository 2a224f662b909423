import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WeightedRoundRobin, WeightedSemaphore } from "../../src/adapters/queue-weights.ts";
import type { QueueName } from "../../src/ports/job-queue.ts";

describe("queue weights", () => {
  it("interleaves picks by weight, exactly over each round", () => {
    const rr = new WeightedRoundRobin([{ queue: "default", weight: 3 }, { queue: "pull", weight: 1 }]);
    const all = new Set<QueueName>(["default", "pull"]);
    const picks = Array.from({ length: 8 }, () => rr.pick(all));
    assert.deepEqual(picks, ["default", "default", "pull", "default", "default", "default", "pull", "default"]);
  });

  it("picks only among queues that have work, and none when none do", () => {
    const rr = new WeightedRoundRobin([{ queue: "default", weight: 3 }, { queue: "pull", weight: 1 }]);
    assert.equal(rr.pick(new Set<QueueName>(["pull"])), "pull");
    assert.equal(rr.pick(new Set()), null);
    assert.deepEqual(rr.allocate(8, new Set<QueueName>(["default", "pull"])), new Map([["default", 6], ["pull", 2]]));
  });

  it("merges a queue listed twice and refuses an empty list", () => {
    const rr = new WeightedRoundRobin([{ queue: "push", weight: 1 }, { queue: "push", weight: 2 }, { queue: "pull", weight: 0 }]);
    assert.deepEqual(rr.queues, ["push", "pull"]);
    assert.throws(() => new WeightedRoundRobin([]), /at least one queue/);
  });

  it("lets a semaphore's holders through one at a time beyond its size", async () => {
    const s = new WeightedSemaphore(1, [{ queue: "default", weight: 1 }]);
    await s.acquire("default");
    let second = false;
    const waiting = s.acquire("default").then(() => (second = true));
    await Promise.resolve();
    assert.equal(second, false);
    s.release();
    await waiting;
    assert.equal(second, true);
  });

  it("gives freed slots to waiting queues by weight, and every slot to a queue alone", async () => {
    const s = new WeightedSemaphore(2, [{ queue: "default", weight: 3 }, { queue: "pull", weight: 1 }]);
    // A queue alone takes both slots.
    await s.acquire("pull");
    await s.acquire("pull");
    const order: QueueName[] = [];
    const waits = [];
    for (let i = 0; i < 4; i++) for (const q of ["default", "pull"] as const) waits.push(s.acquire(q).then(() => void order.push(q)));
    for (let i = 0; i < 8; i++) {
      s.release();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(waits);
    // 3:1 while both wait (default default pull default), then pull's remaining turns.
    assert.deepEqual(order, ["default", "default", "pull", "default", "default", "pull", "pull", "pull"]);
  });
});
