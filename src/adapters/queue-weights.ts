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

/**
 * Caps how many handlers run at once across several queues, handing a freed slot to the queue whose turn it is
 * by weight among those with a job waiting. A queue alone may so use every slot (a worker busy with nothing but
 * incoming activities runs them all at once), and the weights decide only when queues compete, as a database
 * worker's claims do.
 */
export class WeightedSemaphore {
  #free: number;
  readonly #waiters = new Map<QueueName, (() => void)[]>();
  readonly #turns: WeightedRoundRobin;

  constructor(size: number, queues: readonly WeightedQueue[]) {
    this.#free = Math.max(1, Math.floor(size));
    this.#turns = new WeightedRoundRobin(queues);
  }

  async acquire(queue: QueueName): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => {
      const list = this.#waiters.get(queue);
      if (list) list.push(resolve);
      else this.#waiters.set(queue, [resolve]);
    });
  }

  release(): void {
    const next = this.#waiters.size === 0 ? null : this.#turns.pick(new Set(this.#waiters.keys()));
    if (next === null) {
      this.#free++;
      return;
    }
    const list = this.#waiters.get(next)!;
    const resolve = list.shift()!;
    if (list.length === 0) this.#waiters.delete(next);
    resolve();
  }
}
