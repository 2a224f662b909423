/**
 * A polling loop's pause that a commit (or close) can cut short. A wake that arrives while the loop is busy is
 * remembered, so the next pause returns at once instead of missing the work that woke it.
 */
export class Wakeup {
  #wake: (() => void) | null = null;
  #pending = false;

  /** Waits `ms`, or less if woken; returns at once if a wake came in since the last pause. */
  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }
}
