/**
 * Shared by the API benchmarks: the two server setups (embedded `herd start`, and `herd web` on PostgreSQL +
 * Redis), seeding data through a container built in this process before the server starts, and one autocannon run.
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { silentLogger } from "../src/app/logger.ts";
import { buildContainer, type Container } from "../src/app/container.ts";
import { loadConfig } from "../src/config/load.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, herd, tempDir, wantedSetup } from "./support.ts";

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
  const setups: ServerSetup[] = [];
  if (wantedSetup("herd start (SQLite)"))
    setups.push({ label: "herd start (SQLite)", command: "start", readyMessage: "Herd is running", env: { DATA_DIR: tempDir(), PORT: "0" }, drop: async () => {} });
  if (!wantedSetup("herd web (PostgreSQL, Redis)")) return setups;
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
  /** How long the first (probe) request took: a cold cache, a feed rebuild. */
  readonly probeMs: number;
}

export interface LoadOptions {
  /** The probe must answer a JSON array of exactly this many items (a full page). */
  readonly countStatuses?: number;
  readonly method?: "GET" | "POST";
  /** A form body for POST; `[<id>]` in it is replaced by a request counter so every request differs. */
  readonly form?: string;
  /** Bearer tokens to take turns with, one request after another (several accounts); default the one given. */
  readonly tokens?: readonly string[];
  /** Runs on the live server after the load, before it stops (e.g. to measure what the load caused). */
  readonly after?: (baseUrl: string) => Promise<void>;
}

/** Starts the server, checks one request answers 200, then loads `path` with the bearer token. */
export async function loadServer(setup: ServerSetup, path: string, token: string, options: LoadOptions = {}): Promise<LoadResult> {
  // BENCH_NODE_OPTIONS reaches the server only (e.g. --cpu-prof for a profile of what the load costs it).
  const child = herd([setup.command], { ...setup.env, ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) });
  try {
    const port = (await child.waitFor(setup.readyMessage)).port as number;
    const base = `http://127.0.0.1:${port}`;
    const url = `${base}${path}`;
    const method = options.method ?? "GET";
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (options.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const probeStart = performance.now();
    const probe = await fetch(url, { method, headers, body: options.form?.replaceAll("[<id>]", "probe") });
    const probeMs = performance.now() - probeStart;
    const probeText = await probe.text();
    if (probe.status !== 200) throw new Error(`${path} answered ${probe.status}: ${probeText.slice(0, 300)}`);
    if (options.countStatuses !== undefined) {
      const body = JSON.parse(probeText);
      if (!Array.isArray(body) || body.length !== options.countStatuses)
        throw new Error(`${path} answered ${Array.isArray(body) ? body.length : "no"} items, not ${options.countStatuses}`);
    }
    let counter = 0;
    const r = await autocannon({
      url, method, connections: CONNECTIONS, duration: SECONDS, headers,
      ...(options.form === undefined
        ? {}
        : {
            requests: [
              {
                setupRequest: (req: any) => {
                  const n = counter++;
                  const tokens = options.tokens ?? [token];
                  return {
                    ...req,
                    headers: { ...req.headers, authorization: `Bearer ${tokens[n % tokens.length]}` },
                    body: options.form!.replaceAll("[<id>]", String(n)),
                  };
                },
              },
            ],
          }),
    });
    if (options.after) await options.after(base);
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, probeMs };
  } finally {
    await child.stop();
  }
}
