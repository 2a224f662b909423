import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Semaphore, splitConcurrency, WeightedRoundRobin } from "../../src/adapters/queue-weights.ts";
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

  it("splits concurrency by weight with at least one slot per queue", () => {
    assert.deepEqual(splitConcurrency(4, [{ queue: "default", weight: 3 }, { queue: "pull", weight: 1 }]), new Map([["default", 3], ["pull", 1]]));
    assert.deepEqual(
      splitConcurrency(10, [{ queue: "default", weight: 4 }, { queue: "ingress", weight: 2 }, { queue: "push", weight: 2 }, { queue: "pull", weight: 1 }, { queue: "mailers", weight: 1 }]),
      new Map([["default", 4], ["ingress", 2], ["push", 2], ["pull", 1], ["mailers", 1]]),
    );
    assert.deepEqual(splitConcurrency(1, [{ queue: "default", weight: 1 }, { queue: "pull", weight: 1 }]), new Map([["default", 1], ["pull", 1]]));
  });

  it("merges a queue listed twice and refuses an empty list", () => {
    const rr = new WeightedRoundRobin([{ queue: "push", weight: 1 }, { queue: "push", weight: 2 }, { queue: "pull", weight: 0 }]);
    assert.deepEqual(rr.queues, ["push", "pull"]);
    assert.throws(() => new WeightedRoundRobin([]), /at least one queue/);
  });

  it("lets a semaphore's holders through one at a time beyond its size", async () => {
    const s = new Semaphore(1);
    await s.acquire();
    let second = false;
    const waiting = s.acquire().then(() => (second = true));
    await Promise.resolve();
    assert.equal(second, false);
    s.release();
    await waiting;
    assert.equal(second, true);
  });
});
