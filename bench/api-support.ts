/**
 * Shared by the API benchmarks: the two server setups (embedded `herd start`, and `herd web` on PostgreSQL +
 * Redis), seeding data through a container built in this process before the server starts, and one autocannon run.
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { silentLogger } from "../src/app/logger.ts";
import { buildContainer, type Container } from "../src/app/container.ts";
import { loadConfig } from "../src/config/load.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, herd, tempDir } from "./support.ts";

/** Load shape of every API benchmark, as the health benchmark uses. */
export const CONNECTIONS = 50;
export const SECONDS = 10;

export interface ServerSetup {
  readonly label: string;
  readonly command: "start" | "web";
  readonly readyMessage: string;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

/** The setups this machine can run; PostgreSQL + Redis is skipped with a note when BENCH_ or TEST_ URLs are unset. */
export async function serverSetups(notes: string[]): Promise<ServerSetup[]> {
  const setups: ServerSetup[] = [
    { label: "herd start (SQLite)", command: "start", readyMessage: "Herd is running", env: { DATA_DIR: tempDir(), PORT: "0" }, drop: async () => {} },
  ];
  if (!BENCH_DATABASE_URL || !BENCH_REDIS_URL) {
    notes.push("herd web on PostgreSQL + Redis skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (or TEST_*)");
    return setups;
  }
  const pg = await freshPostgres();
  setups.push({
    label: "herd web (PostgreSQL, Redis)",
    command: "web",
    readyMessage: "herd web is running",
    env: { DATABASE_URL: pg.url, REDIS_URL: BENCH_REDIS_URL, REDIS_NAMESPACE: `bench${randomBytes(3).toString("hex")}`, PORT: "0", DATA_DIR: tempDir() },
    drop: pg.drop,
  });
  return setups;
}

/** Runs `fn` on a container over the setup's backends (migrated), closing it before the server starts. */
export async function seed<T>(setup: ServerSetup, fn: (c: Container) => Promise<T>): Promise<T> {
  const container = await buildContainer(loadConfig(setup.env), silentLogger, { role: "bench-seed", migrate: true, checks: false });
  try {
    return await fn(container);
  } finally {
    await container.close();
  }
}

export interface LoadResult {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Starts the server, checks one request answers 200, then loads `path` with the bearer token. */
export async function loadServer(setup: ServerSetup, path: string, token: string): Promise<LoadResult> {
  const child = herd([setup.command], setup.env);
  try {
    const port = (await child.waitFor(setup.readyMessage)).port as number;
    const url = `http://127.0.0.1:${port}${path}`;
    const headers = { authorization: `Bearer ${token}` };
    const probe = await fetch(url, { headers });
    if (probe.status !== 200) throw new Error(`${path} answered ${probe.status}: ${(await probe.text()).slice(0, 300)}`);
    const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
  } finally {
    await child.stop();
  }
}
