import { Worker } from "node:worker_threads";

/** How often the checkpointing thread copies the write-ahead log back into the database file. */
export const CHECKPOINT_EVERY_MS = 250;

/*
 * The thread's whole program. Plain CommonJS run with `eval`, so it needs no loader for TypeScript: node:sqlite
 * and a timer are all it uses. PASSIVE never waits for readers or writers; what it cannot copy this time it
 * copies on the next round. The connection is closed on "stop" so the main connection's own close is the last
 * one and removes the log.
 */
const PROGRAM = `
const { DatabaseSync } = require("node:sqlite");
const { parentPort, workerData } = require("node:worker_threads");
const db = new DatabaseSync(workerData.path);
db.exec("PRAGMA busy_timeout = 1000");
const round = () => { try { db.exec("PRAGMA wal_checkpoint(PASSIVE)"); } catch (error) { parentPort.postMessage({ failed: String(error) }); } };
const timer = setInterval(round, workerData.everyMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  round();
  db.close();
  parentPort.close();
});
`;

/**
 * Runs SQLite's WAL checkpoints on a thread of their own instead of inside whichever commit crosses the
 * automatic checkpoint's threshold. A checkpoint copies pages into the database file and, with synchronous =
 * NORMAL, waits for fsync: on the event loop that is half the cost of a small write transaction on average, and
 * a stall of many milliseconds for the commit that pays it. The main connection turns its automatic checkpoint
 * off only while this thread runs; should the thread fail, it is turned on again.
 */
export class SqliteCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  /** `onFailure` runs once if the thread dies or cannot checkpoint (the caller re-enables automatic checkpoints). */
  constructor(path: string, onFailure: (reason: string) => void, everyMs = CHECKPOINT_EVERY_MS) {
    let failed = false;
    const fail = (reason: string) => {
      if (failed) return;
      failed = true;
      onFailure(reason);
    };
    this.#worker = new Worker(PROGRAM, { eval: true, workerData: { path, everyMs } });
    this.#worker.on("message", (m: { failed?: string }) => {
      if (m?.failed) fail(m.failed);
    });
    this.#worker.on("error", (error) => fail(String(error)));
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
    // A process with nothing else to do may exit; the database's close stops the thread properly.
    this.#worker.unref();
  }

  /** Checkpoints once more and closes the thread's connection; before the main connection closes. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.#worker.postMessage("stop");
    const timer = setTimeout(() => void this.#worker.terminate(), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
