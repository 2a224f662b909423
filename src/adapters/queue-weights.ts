import type { QueueName, WeightedQueue } from "../ports/job-queue.ts";

/** Weights below this are treated as this, so a queue listed with weight 0 is still served (slowly), never starved. */
const MIN_WEIGHT = 0.01;

/** Merges duplicate queue names (their weights add up) and clamps weights, keeping the caller's order. */
export function normaliseQueues(queues: readonly WeightedQueue[]): WeightedQueue[] {
  const byName = new Map<QueueName, number>();
  for (const { queue, weight } of queues) {
    const w = Number.isFinite(weight) ? Math.max(weight, MIN_WEIGHT) : 1;
    byName.set(queue, (byName.get(queue) ?? 0) + w);
  }
  if (byName.size === 0) throw new Error("a worker needs at least one queue");
  return [...byName].map(([queue, weight]) => ({ queue, weight }));
}

/**
 * Smooth weighted round robin (nginx's): every pick adds each candidate's weight to its score, takes the highest
 * and subtracts the total from it. Picks interleave (3:1 gives a a b a, not a a a b) and the shares are exact
 * over any window of `sum of weights` picks, which a random draw only approaches.
 */
export class WeightedRoundRobin {
  readonly #weights: ReadonlyMap<QueueName, number>;
  readonly #scores = new Map<QueueName, number>();

  constructor(queues: readonly WeightedQueue[]) {
    this.#weights = new Map(normaliseQueues(queues).map((q) => [q.queue, q.weight]));
    for (const name of this.#weights.keys()) this.#scores.set(name, 0);
  }

  get queues(): QueueName[] {
    return [...this.#weights.keys()];
  }

  /** The next queue among `candidates` (queues believed to have work); null when there are none. */
  pick(candidates: ReadonlySet<QueueName>): QueueName | null {
    let best: QueueName | null = null;
    let total = 0;
    for (const [name, weight] of this.#weights) {
      if (!candidates.has(name)) continue;
      const score = this.#scores.get(name)! + weight;
      this.#scores.set(name, score);
      total += weight;
      if (best === null || score > this.#scores.get(best)!) best = name;
    }
    if (best !== null) this.#scores.set(best, this.#scores.get(best)! - total);
    return best;
  }

  /** Shares `slots` among `candidates` pick by pick, so one claim of n jobs already follows the weights. */
  allocate(slots: number, candidates: ReadonlySet<QueueName>): Map<QueueName, number> {
    const shares = new Map<QueueName, number>();
    for (let i = 0; i < slots; i++) {
      const q = this.pick(candidates);
      if (q === null) break;
      shares.set(q, (shares.get(q) ?? 0) + 1);
    }
    return shares;
  }
}

/**
 * Splits a total concurrency among queues by weight (largest remainder), at least one slot each. The sum exceeds
 * `total` only when there are more queues than slots; callers then cap running handlers with a shared limit.
 */
export function splitConcurrency(total: number, queues: readonly WeightedQueue[]): Map<QueueName, number> {
  const list = normaliseQueues(queues);
  const slots = Math.max(1, Math.floor(total));
  const sum = list.reduce((s, q) => s + q.weight, 0);
  const exact = list.map((q) => (slots * q.weight) / sum);
  const shares = exact.map((x) => Math.floor(x));
  let left = slots - shares.reduce((s, n) => s + n, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    shares[i]++;
    left--;
  }
  return new Map(list.map((q, i) => [q.queue, Math.max(1, shares[i])]));
}

/** Caps how many handlers run at once across several sources of jobs. */
export class Semaphore {
  #free: number;
  readonly #waiters: (() => void)[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, size);
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
