/**
 * Mastodon-style 64-bit ids: milliseconds since the epoch in the high 48 bits, a sequence in the low 16.
 * Sortable by creation time, exact only as bigint or string (never a JS number: they exceed 2^53).
 */
export const SEQUENCE_BITS = 16n;
const BLOCK = 1024;

/** The id a given instant would start with: use it to turn a time into a `max_id`/`min_id` bound. */
export function idForTime(ms: number, sequence = 0): bigint {
  return (BigInt(Math.floor(ms)) << SEQUENCE_BITS) | BigInt(sequence & 0xffff);
}

/** The creation time (ms) encoded in an id. */
export function timeOfId(id: bigint): number {
  return Number(id >> SEQUENCE_BITS);
}

/** Parses an id from a path or query string: digits only, at most 64 bits; anything else is null. */
export function parseId(value: unknown): bigint | null {
  if (typeof value === "bigint") return value >= 0n && value < 1n << 63n ? value : null;
  if (typeof value !== "string" || !/^\d{1,19}$/.test(value)) return null;
  const id = BigInt(value);
  return id < 1n << 63n ? id : null;
}

/**
 * Hands out ids for one process. The low 16 bits come from blocks of 1,024 reserved from a database sequence,
 * so processes sharing a database never hand out the same low bits within a millisecond (until 64 blocks have
 * been taken in between, far beyond any real rate); within a block they count up.
 */
export class IdGenerator {
  #now: () => number;
  #blockStart = 0;
  #used = BLOCK;
  #pending: Promise<void> | null = null;
  #lastMs = 0;
  #blockOwner: object | null = null;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * The next id. `reserve` takes a block number from the database when the current block is used up; `owner`
   * names the transaction it ran in, so that `discard(owner)` can drop a block whose reservation rolled back.
   */
  async next(reserve: () => Promise<number>, owner: object | null = null): Promise<bigint> {
    while (this.#used >= BLOCK) {
      this.#pending ??= reserve().then(
        (n) => {
          this.#blockStart = (n * BLOCK) & 0xffff;
          this.#used = 0;
          this.#pending = null;
          this.#blockOwner = owner;
        },
        (err) => {
          this.#pending = null;
          throw err;
        },
      );
      await this.#pending;
    }
    const ms = Math.max(this.#now(), this.#lastMs);
    this.#lastMs = ms;
    return idForTime(ms, this.#blockStart + this.#used++);
  }

  /** Forgets the current block if `owner`'s transaction reserved it and then rolled back. */
  discard(owner: object): void {
    if (this.#blockOwner === owner) this.#used = BLOCK;
  }

  /** Marks the current block as committed: a later rollback of its transaction can no longer undo it. */
  settle(owner: object): void {
    if (this.#blockOwner === owner) this.#blockOwner = null;
  }
}
