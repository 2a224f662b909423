import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import type { BenchResult } from "../run.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, herd, migrate, tempDir } from "../support.ts";

const CONNECTIONS = 50;
const SECONDS = 10;

async function load(port: number): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/health`, connections: CONNECTIONS, duration: SECONDS });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

/** GET /health with 50 connections for 10 s: `herd start` embedded, and `herd web` on PostgreSQL + Redis. */
export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes = [`${CONNECTIONS} connections, ${SECONDS} s, load generator in this process on the same 2 cores`];

  // LOG_LEVEL info: the ready line carries the port; per-request lines are at debug and stay off.
  const start = herd(["start"], { DATA_DIR: tempDir(), PORT: "0" });
  try {
    const r = await load((await start.waitFor("Herd is running")).port as number);
    rows.push({ server: "herd start (SQLite)", "req/s": Math.round(r.rps), "p99 ms": r.p99, errors: r.errors, non2xx: r.non2xx });
  } finally {
    await start.stop();
  }

  if (!BENCH_DATABASE_URL || !BENCH_REDIS_URL) {
    notes.push("herd web on PostgreSQL + Redis skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (or TEST_*)");
    return { scenario: "health", rows, notes };
  }
  const { url, drop } = await freshPostgres();
  const env = { DATABASE_URL: url, REDIS_URL: BENCH_REDIS_URL, REDIS_NAMESPACE: `bench${randomBytes(3).toString("hex")}`, PORT: "0" };
  try {
    await migrate(env);
    const web = herd(["web"], env);
    try {
      const port = (await web.waitFor("herd web is running")).port as number;
      const r = await load(port);
      rows.push({ server: "herd web (PostgreSQL, Redis)", "req/s": Math.round(r.rps), "p99 ms": r.p99, errors: r.errors, non2xx: r.non2xx });
    } finally {
      await web.stop();
    }
  } finally {
    await drop();
  }
  return { scenario: "health", rows, notes };
}
