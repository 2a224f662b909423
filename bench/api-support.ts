/**
 * Shared by the API benchmarks: the two server setups (embedded `herd start`, and `herd web` on PostgreSQL +
 * Redis), seeding data through a container built in this process before the server starts, and one autocannon run.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
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
  /** Each round's req/s in the order they ran, when BENCH_ROUNDS asked for more than one. */
  readonly roundsRps?: readonly number[];
  /**
   * CPU time the whole machine spent per request during the load (server, databases, load generator), median of
   * the rounds: steadier than req/s when other work shares the machine, and what a 2-core box runs out of.
   */
  readonly cpuUsPerRequest?: number;
}

/** CPU time all cores spent busy since boot, in ms, from /proc/stat; null where there is none (not Linux). */
function machineCpuMs(): number | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal, in USER_HZ ticks (100 a second on Linux): busy is all but
    // idle and iowait; steal is not ours.
    const [user, nice, system, , , irq, softirq] = fields;
    return ((user + nice + system + irq + softirq) * 1000) / 100;
  } catch {
    return null;
  }
}

/** How many load rounds to run on one server (BENCH_ROUNDS, default 1). */
function benchRounds(): number {
  const n = Number(process.env.BENCH_ROUNDS ?? "1");
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ROUNDS must be a whole number of at least 1, not "${process.env.BENCH_ROUNDS}"`);
  return n;
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
    const load = () => autocannon({
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
    // BENCH_ROUNDS loads the same server several times and reports the median round: on a small shared machine
    // one 10 s round varies by ±20 %, too much to compare two commits by.
    const rounds = [];
    for (let i = 0; i < benchRounds(); i++) {
      const before = machineCpuMs();
      const result = await load();
      const after = machineCpuMs();
      const served = result.requests.total;
      rounds.push({ result, cpuUs: before === null || after === null || served === 0 ? null : ((after - before) * 1000) / served });
    }
    const inOrder = rounds.map((x) => Math.round(x.result.requests.average));
    const sorted = [...rounds].sort((a, b) => a.result.requests.average - b.result.requests.average);
    const { result: r } = sorted[Math.floor(sorted.length / 2)];
    const cpus = rounds.map((x) => x.cpuUs).filter((x): x is number => x !== null).sort((a, b) => a - b);
    if (options.after) await options.after(base);
    return {
      rps: r.requests.average, p99: r.latency.p99, errors: rounds.reduce((n, x) => n + x.result.errors, 0),
      non2xx: rounds.reduce((n, x) => n + x.result.non2xx, 0), probeMs,
      ...(cpus.length > 0 ? { cpuUsPerRequest: Math.round(cpus[Math.floor(cpus.length / 2)]) } : {}),
      ...(rounds.length > 1 ? { roundsRps: inOrder } : {}),
    };
  } finally {
    await child.stop();
  }
}
