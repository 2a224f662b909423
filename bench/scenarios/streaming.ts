/**
 * 10,000 idle WebSocket clients on one `herd streaming` process, each subscribed to `public` as masto.js does
 * (the token as the Sec-WebSocket-Protocol, then a `subscribe` message), with `herd web` to post through and
 * `herd worker` to fan out, all on PostgreSQL + Redis (skipped with a note when BENCH_ or TEST_ URLs are unset).
 * Figures: connections accepted (goal: all), the streaming process's RSS idle before and after the connections
 * and per connection, then for each of a few public posts the time from sending POST /api/v1/statuses until
 * each client has the `update` (p50, p99, max; goal p99 ≤ 200 ms).
 *
 * Each server process is started under `prlimit --nofile=65536:65536` (the server does not raise its own
 * limit), and the client sockets live in a few child processes of this file (run directly with `--clients`),
 * each started under the same limit, so the benchmark works whatever `ulimit -n` it was started with. Arrival
 * times are CLOCK_MONOTONIC (process.hrtime), which all processes on the machine share. Loopback only; the
 * clients connect from several source addresses (127.0.0.2…) so ephemeral ports never run out.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { WebSocket } from "ws";
import type { BenchResult } from "../run.ts";
import { buildContainer } from "../../src/app/container.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { publicChannel } from "../../src/services/streaming/channels.ts";
import { seedAccounts } from "../social-seed.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, herd, migrate, sleep, tempDir, type Child } from "../support.ts";

const CONNECTIONS = Number(process.env.BENCH_STREAMING_CONNECTIONS ?? 10_000);
/**
 * Distinct subscriber accounts (each with its own token); connections are spread over them round-robin.
 * BENCH_STREAMING_ACCOUNTS=10000 gives every connection its own account (per-viewer checks for each).
 */
const READERS = Number(process.env.BENCH_STREAMING_ACCOUNTS ?? 100);
const CLIENT_PROCESSES = 2;
/** Connection attempts in flight at once per client process. */
const CONNECT_PARALLEL = 100;
const SOURCE_ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
const POSTS = 3;
/**
 * The descriptor limit the servers and client processes get: 65,536, or the hard limit where that is lower
 * (an unprivileged or sandboxed process cannot raise its hard limit; 10,000 sockets need little more than 10,000).
 */
const NOFILE = Math.min(65_536, hardNofile());
const SETTLE_MS = 5_000;
const CONNECT_TIMEOUT_MS = 180_000;
const DELIVERY_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------------------
// The client side: run as `node streaming.ts --clients`, driven over the IPC channel.

type ToClients =
  | { type: "connect"; url: string; tokens: string[]; count: number; offset: number }
  | { type: "expect"; statusId: string }
  | { type: "close" };
type FromClients =
  | { type: "connected"; open: number; failed: number; errors: string[] }
  | { type: "arrived"; statusId: string; times: string[]; missing: number; frameBytes: number };

async function clientMain(): Promise<void> {
  const sockets: WebSocket[] = [];
  /** Per status id, when each client got its `update` (recorded before the benchmark knows the id: the POST may answer after the event). */
  const arrivals = new Map<string, bigint[]>();
  const frameBytes = new Map<string, number>();
  let waiting: { statusId: string; done: () => void } | null = null;
  const send = (m: FromClients) => process.send!(m);
  const marker = Buffer.from('\\"id\\":\\"');

  const open = (url: string, token: string, localAddress: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, [token], { localAddress, perMessageDeflate: false, handshakeTimeout: 60_000 });
      ws.once("open", () => {
        ws.send(JSON.stringify({ type: "subscribe", stream: "public" }));
        resolve(ws);
      });
      ws.once("unexpected-response", (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
      ws.once("error", reject);
      ws.on("message", (data: Buffer) => {
        const at = process.hrtime.bigint();
        // Only the status id is taken out, not the JSON parsed: the clients share the cores with the servers.
        if (!data.includes('"event":"update"')) return;
        const start = data.indexOf(marker);
        if (start < 0) return;
        const from = start + marker.length;
        const id = data.toString("latin1", from, data.indexOf("\\", from));
        const list = arrivals.get(id) ?? [];
        list.push(at);
        arrivals.set(id, list);
        frameBytes.set(id, data.length);
        if (waiting?.statusId === id && list.length >= sockets.length) waiting.done();
      });
    });

  process.on("message", async (m: ToClients) => {
    if (m.type === "connect") {
      let failed = 0;
      const errors = new Set<string>();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONNECT_PARALLEL }, async () => {
          while (next < m.count) {
            const i = m.offset + next++;
            try {
              sockets.push(await open(m.url, m.tokens[i % m.tokens.length], SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length]));
            } catch (err) {
              failed++;
              errors.add(String((err as Error).message));
            }
          }
        }),
      );
      send({ type: "connected", open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, failed, errors: [...errors].slice(0, 5) });
    } else if (m.type === "expect") {
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      waiting = { statusId: m.statusId, done };
      if ((arrivals.get(m.statusId)?.length ?? 0) >= sockets.length) done();
      const timer = setTimeout(done, DELIVERY_TIMEOUT_MS);
      await finished;
      clearTimeout(timer);
      waiting = null;
      const times = arrivals.get(m.statusId) ?? [];
      arrivals.delete(m.statusId);
      send({ type: "arrived", statusId: m.statusId, times: times.map(String), missing: sockets.length - times.length, frameBytes: frameBytes.get(m.statusId) ?? 0 });
      frameBytes.delete(m.statusId);
    } else {
      for (const s of sockets) s.terminate();
      process.exit(0);
    }
  });
}

if (process.argv[2] === "--clients" && import.meta.filename === process.argv[1]) await clientMain();

// ---------------------------------------------------------------------------------------------------------
// The benchmark side.

function hardNofile(): number {
  const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return !m || m[1] === "unlimited" ? Infinity : Number(m[1]);
}

/** `herd <args>` under the raised descriptor limit (prlimit execs node, so the pid is the server's own). */
function herdUnderLimit(args: string[], env: Record<string, string>, nodeArgs: string[] = []): Child {
  return herd(args, env, { prefix: ["prlimit", `--nofile=${NOFILE}:${NOFILE}`], nodeArgs });
}

interface ClientProc {
  readonly child: ChildProcess;
  request<T extends FromClients["type"]>(m: ToClients, reply: T, timeoutMs: number): Promise<Extract<FromClients, { type: T }>>;
}

function startClients(): ClientProc {
  const child = spawn("prlimit", [`--nofile=${NOFILE}:${NOFILE}`, process.execPath, import.meta.filename, "--clients"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return {
    child,
    request(m, reply, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`client process did not answer ${m.type} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (r: FromClients) => {
          if (r.type !== reply) return;
          child.off("message", onMessage);
          clearTimeout(timer);
          resolve(r as never);
        };
        child.on("message", onMessage);
        child.send(m);
      });
    },
  };
}

/** Subscriptions to `public` open on the streaming process, from its metrics. */
async function publicSubscriptions(base: string): Promise<number> {
  const text = await fetch(`${base}/metrics`).then((r) => r.text());
  let total = 0;
  for (const m of text.matchAll(/^herd_streaming_connected_channels\{([^}]*)\} (\d+)/gm)) if (m[1].includes('channel="public"')) total += Number(m[2]);
  return total;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (n: number) => Math.round(n * 10) / 10;

export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes = [
    `${CONNECTIONS.toLocaleString("en-US")} WebSocket clients (token as Sec-WebSocket-Protocol, subscribe to public) over ${READERS} accounts, in ${CLIENT_PROCESSES} client processes on the same 2 cores`,
    `servers and client processes run under prlimit --nofile=${NOFILE}:${NOFILE}; delivery measured from sending the POST (includes web, the job relay, the worker and Redis); "published ms": when the worker's event reached Redis subscribers`,
    "goals: all connections accepted; delivery p99 ≤ 200 ms",
  ];
  if (!BENCH_DATABASE_URL || !BENCH_REDIS_URL) {
    notes.push("skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (or TEST_*)");
    return { scenario: "streaming", rows, notes };
  }
  if (NOFILE < CONNECTIONS + 1_024) notes.push(`the hard descriptor limit (${NOFILE}) leaves the streaming process too few for ${CONNECTIONS} connections`);
  const pg = await freshPostgres();
  const env = {
    DATABASE_URL: pg.url, REDIS_URL: BENCH_REDIS_URL, REDIS_NAMESPACE: `bench${randomBytes(3).toString("hex")}`,
    PORT: "0", STREAMING_PORT: "0", METRICS_PORT: "0", DATA_DIR: tempDir(),
  };
  const procs: Child[] = [];
  const closers: (() => Promise<void>)[] = [];
  const clients: ClientProc[] = [];
  try {
    await migrate(env);
    const container = await buildContainer(loadConfig(env), silentLogger, { role: "bench-seed", checks: false });
    let posterToken: string;
    const readerTokens: string[] = [];
    try {
      await seedAccounts(container, "poster", 1);
      await seedAccounts(container, "reader", READERS);
      const t = await createAccessToken(container.jobDeps, "poster0", "read write");
      if (!t.ok) throw new Error("could not create the poster's token");
      posterToken = t.value.token;
      for (let i = 0; i < READERS; i++) {
        const r = await createAccessToken(container.jobDeps, `reader${i}`, "read");
        if (!r.ok) throw new Error("could not create a reader's token");
        readerTokens.push(r.value.token);
      }
    } finally {
      await container.close();
    }
    // A listener on the public channel in this process timestamps when the worker published each event, which
    // splits the delivery time into the pipeline before the streaming process and the streaming process itself.
    const probe = await buildContainer(loadConfig(env), silentLogger, { role: "bench-probe", checks: false, relayJobs: false });
    const publishedAt = new Map<string, bigint>();
    await probe.pubsub.subscribe(publicChannel("all"), (text) => {
      const at = process.hrtime.bigint();
      const m = JSON.parse(text) as { event: string; statusId?: string };
      if (m.event === "update" && m.statusId && !publishedAt.has(m.statusId)) publishedAt.set(m.statusId, at);
    });
    closers.push(() => probe.close());

    const web = herdUnderLimit(["web"], env);
    const worker = herdUnderLimit(["worker", "--metrics-port", "0"], env);
    // BENCH_STREAMING_PROFILE=DIR writes a CPU profile of the streaming process there (for the hub and renderer).
    const profile = process.env.BENCH_STREAMING_PROFILE;
    const streaming = herdUnderLimit(["streaming"], env, profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []);
    procs.push(web, worker, streaming);
    const webPort = (await web.waitFor("herd web is running")).port as number;
    await worker.waitFor("herd worker is running");
    const streamingPort = (await streaming.waitFor("herd streaming is running")).port as number;
    const streamingBase = `http://127.0.0.1:${streamingPort}`;
    await sleep(SETTLE_MS);
    const rssBefore = streaming.rssMiB();
    const filesBefore = streaming.openFiles();

    for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(startClients());
    const share = Math.ceil(CONNECTIONS / CLIENT_PROCESSES);
    const connectStart = performance.now();
    const connected = await Promise.all(
      clients.map((c, i) =>
        c.request(
          { type: "connect", url: `ws://127.0.0.1:${streamingPort}/api/v1/streaming`, tokens: readerTokens, offset: i * share, count: Math.max(0, Math.min(share, CONNECTIONS - i * share)) },
          "connected",
          CONNECT_TIMEOUT_MS,
        ),
      ),
    );
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const open = connected.reduce((n, c) => n + c.open, 0);
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    for (const e of new Set(connected.flatMap((c) => c.errors))) notes.push(`connection error: ${e}`);
    // Every subscribe message handled: the server counts the subscriptions.
    const end = Date.now() + 60_000;
    let subscribed = await publicSubscriptions(streamingBase);
    while (subscribed < open && Date.now() < end) {
      await sleep(250);
      subscribed = await publicSubscriptions(streamingBase);
    }
    await sleep(SETTLE_MS);
    const rssAfter = streaming.rssMiB();
    const filesAfter = streaming.openFiles();
    rows.push({
      measure: "connections", accepted: open, failed, "subscribed to public": subscribed, "connect s": round(connectSeconds),
      "RSS idle MiB": round(rssBefore), "RSS with clients MiB": round(rssAfter), "KiB per connection": round(((rssAfter - rssBefore) * 1024) / Math.max(1, open)),
      "fds idle": filesBefore, "fds with clients": filesAfter,
    });

    // Post 0 warms up the code paths (JIT, prepared statements, pools) in all four processes and is not reported.
    for (let i = 0; i <= POSTS; i++) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`http://127.0.0.1:${webPort}/api/v1/statuses`, {
        method: "POST",
        headers: { authorization: `Bearer ${posterToken}`, "content-type": "application/json" },
        body: JSON.stringify({ status: `Streaming benchmark post ${i}`, visibility: "public" }),
      });
      if (res.status !== 200) throw new Error(`posting answered ${res.status}: ${await res.text()}`);
      const statusId = ((await res.json()) as { id: string }).id;
      const arrived = await Promise.all(clients.map((c) => c.request({ type: "expect", statusId }, "arrived", DELIVERY_TIMEOUT_MS + 10_000)));
      const ms = arrived.flatMap((a) => a.times.map((t) => Number(BigInt(t) - t0) / 1e6)).sort((a, b) => a - b);
      const missing = arrived.reduce((n, a) => n + a.missing, 0);
      if (i === 0) {
        notes.push(`warm-up post (not in the table): ${ms.length} received, max ${round(ms.at(-1) ?? NaN)} ms`);
        continue;
      }
      const published = publishedAt.get(statusId);
      rows.push({
        measure: `post ${i}`, received: ms.length, missing, "frame bytes": Math.max(...arrived.map((a) => a.frameBytes)),
        "published ms": published === undefined ? "?" : round(Number(published - t0) / 1e6),
        "first ms": round(ms[0] ?? NaN), "p50 ms": round(percentile(ms, 50) ?? NaN), "p99 ms": round(percentile(ms, 99) ?? NaN), "max ms": round(ms.at(-1) ?? NaN),
      });
      await sleep(2_000);
    }
    rows.push({ measure: "after", "RSS with clients MiB": round(streaming.rssMiB()) });
  } finally {
    for (const c of clients) if (c.child.connected) c.child.send({ type: "close" } satisfies ToClients);
    await Promise.all(clients.map((c) => new Promise<void>((r) => (c.child.exitCode !== null ? r() : c.child.once("exit", () => r())))));
    for (const p of procs.reverse()) await p.stop();
    for (const close of closers) await close();
    await pg.drop();
  }
  return { scenario: "streaming", rows, notes };
}
