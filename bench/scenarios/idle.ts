import { randomBytes } from "node:crypto";
import type { BenchResult } from "../run.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, herd, migrate, sleep, tempDir } from "../support.ts";

const SETTLE_MS = 10_000;

/** RSS of each role 10 s after it reports ready: `herd start` embedded, then the split roles on PostgreSQL + Redis. */
export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = ["goal: herd start ≤ 150 MiB"];

  const start = herd(["start"], { DATA_DIR: tempDir(), PORT: "0" });
  try {
    await start.waitFor("Herd is running");
    await sleep(SETTLE_MS);
    rows.push({ role: "herd start (SQLite, memory)", "RSS MiB": round(start.rssMiB()) });
  } finally {
    await start.stop();
  }

  if (!BENCH_DATABASE_URL || !BENCH_REDIS_URL) {
    notes.push("split roles skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (or TEST_*)");
    return { scenario: "idle", rows, notes };
  }
  const { url, drop } = await freshPostgres();
  const env = { DATABASE_URL: url, REDIS_URL: BENCH_REDIS_URL, REDIS_NAMESPACE: `bench${randomBytes(3).toString("hex")}`, PORT: "0", STREAMING_PORT: "0" };
  try {
    await migrate(env);
    const roles: [string, string[], string][] = [
      ["herd start (PostgreSQL, Redis)", ["start"], "Herd is running"],
      ["herd web", ["web"], "herd web is running"],
      ["herd streaming", ["streaming"], "herd streaming is running"],
      ["herd worker", ["worker", "--metrics-port", "0"], "herd worker is running"],
      ["herd scheduler", ["scheduler", "--metrics-port", "0"], "herd scheduler is running"],
    ];
    for (const [name, args, ready] of roles) {
      const p = herd(args, env);
      try {
        await p.waitFor(ready);
        await sleep(SETTLE_MS);
        rows.push({ role: name, "RSS MiB": round(p.rssMiB()) });
      } finally {
        await p.stop();
      }
    }
  } finally {
    await drop();
  }
  return { scenario: "idle", rows, notes };
}

const round = (n: number) => Math.round(n * 10) / 10;
