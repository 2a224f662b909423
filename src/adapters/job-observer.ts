/** Calls an observer hook: observers are for metrics and logs, so their mistakes must not disturb the jobs. */
export function observeSafely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Deliberately ignored, see above.
  }
}
