import { randomBytes } from "node:crypto";

// Drawn once per process: drawing random bytes for every mark cost more than the rest of forgetting an account.
const PROCESS_PART = randomBytes(8).toString("hex");
let counter = 0;

/**
 * A value no other call returns, in this process or any other sharing the cache (a random part per process and a
 * counter): for the tombstones and epochs that forgetting writes, which a reader's compare-and-set must tell from
 * what it saw.
 */
export function uniqueMark(): string {
  return `${PROCESS_PART}${(++counter).toString(36)}`;
}
