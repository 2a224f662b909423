import { checkTtl } from "../ttl.ts";

/** Escapes Redis glob metacharacters so a literal prefix can be used in SCAN ... MATCH. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]]/g, "\\$&");
}

/** PX takes whole milliseconds > 0; a fraction is rounded up so a short TTL never becomes "no expiry". */
export function toPx(ttlMs: number): number {
  return Math.ceil(checkTtl(ttlMs));
}
