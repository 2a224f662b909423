/** Rejects a TTL that is not a positive, finite number of milliseconds (0 would mean "no expiry" to some backends). */
export function checkTtl(ttlMs: number): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new RangeError(`TTL must be a positive number of milliseconds, got ${ttlMs}`);
  return ttlMs;
}
