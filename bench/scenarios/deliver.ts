/**
 * Outgoing delivery: one activity to N distinct inboxes (default 1,000) on a local receiver process, through
 * the real path — enqueueDeliveries in one transaction, the `deliver` job on a push worker in this process
 * (loads the signer, signs with Fedify's signRequest, POSTs through the guarded HttpClient, records the outcome).
 * Reports deliveries per second from the worker's start until every job has run, the process CPU per delivery,
 * and the CPU of signRequest alone (measured separately, sequentially, for both specs).
 *
 *   node bench/run.ts deliver [--inboxes N] [--concurrency C]
 *
 * All inboxes are paths on one 127.0.0.1 port, so the circuit breaker and the spec memory see one domain (as a
 * thousand shared inboxes would be a thousand domains; the per-domain work is one cached lookup each). The
 * PostgreSQL + Redis row needs BENCH_DATABASE_URL and BENCH_REDIS_URL (or the TEST_ ones).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { signRequest } from "@fedify/fedify";
import { Redis } from "ioredis";
import { buildContainer, type Container } from "../../src/app/container.ts";
import { silentLogger } from "../../src/app/logger.ts";
import { loadConfig } from "../../src/config/load.ts";
import { loadSigner } from "../../src/federation/signing.ts";
import { createDispatcher } from "../../src/jobs/dispatch.ts";
import { ALL_JOBS } from "../../src/jobs/index.ts";
import type { JobDeps } from "../../src/jobs/deps.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { enqueueDeliveries, type DeliveryOutcome } from "../../src/services/federation/delivery.ts";
import type { BenchResult } from "../run.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, tempDir } from "../support.ts";

const LIMIT_MS = 120_000;
type Row = Record<string, string | number>;

/** The receiver: answers every POST with 202 after reading it, counts them, and reports on GET /count. */
const RECEIVER = `
import { createServer } from "node:http";
let posts = 0, signed = 0; const paths = new Set();
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") return void res.end(JSON.stringify({ posts, signed, paths: paths.size }));
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    posts++; paths.add(req.url);
    if (req.headers["signature"] && (req.headers["digest"] || req.headers["content-digest"])) signed++;
    res.writeHead(202).end();
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

function startReceiver(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", RECEIVER], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (d: Buffer) => resolve({ child, port: Number(String(d).trim()) }));
  });
}

async function receiverCount(port: number): Promise<{ posts: number; signed: number; paths: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/count`);
  return (await res.json()) as { posts: number; signed: number; paths: number };
}

function noteActivity(base: string): string {
  const id = `${base}/users/bench/statuses/1`;
  return JSON.stringify({
    "@context": ["https://www.w3.org/ns/activitystreams", { sensitive: "as:sensitive", Hashtag: "as:Hashtag" }],
    id: `${id}/activity`,
    type: "Create",
    actor: `${base}/users/bench`,
    published: new Date().toISOString(),
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    cc: [`${base}/users/bench/followers`],
    object: {
      id, type: "Note", attributedTo: `${base}/users/bench`, url: `${base}/@bench/1`, sensitive: false,
      to: ["https://www.w3.org/ns/activitystreams#Public"], cc: [`${base}/users/bench/followers`],
      content: `<p>${"A benchmark post with a little text in it, about the length of an ordinary toot. ".repeat(4)}<a href="${base}/tags/bench" class="mention hashtag" rel="tag">#<span>bench</span></a></p>`,
      tag: [{ type: "Hashtag", href: `${base}/tags/bench`, name: "#bench" }],
      published: new Date().toISOString(),
    },
  });
}

export async function run(args: string[]): Promise<BenchResult> {
  const { values } = parseArgs({ args, options: { inboxes: { type: "string" }, concurrency: { type: "string" } } });
  const n = Number(values.inboxes ?? 1_000);
  const concurrency = Number(values.concurrency ?? 32);
  const receiver = await startReceiver();
  const rows: Row[] = [];
  const notes: string[] = [
    `${n} inboxes (distinct paths on one 127.0.0.1 port: one domain), push worker concurrency ${concurrency}, in this process; receiver in another process`,
    "deliveries/s: from the worker's start until every deliver job has run; CPU ms/delivery: this process's user+system CPU over that time, divided by deliveries",
  ];
  try {
    rows.push(...(await signing()));
    rows.push(await measure("sqlite", {}, receiver.port, n, concurrency));
    if (BENCH_DATABASE_URL && BENCH_REDIS_URL) {
      const pg = await freshPostgres();
      const namespace = `bench_${randomBytes(4).toString("hex")}`;
      try {
        rows.push(await measure("postgres+redis (BullMQ)", { DATABASE_URL: pg.url, REDIS_URL: BENCH_REDIS_URL, REDIS_NAMESPACE: namespace, DB_POOL: "16" }, receiver.port, n, concurrency));
      } finally {
        await pg.drop();
        await deleteKeys(BENCH_REDIS_URL, namespace);
      }
    } else notes.push("postgres+redis skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (or TEST_DATABASE_URL and TEST_REDIS_URL)");
  } finally {
    receiver.child.kill();
  }
  return { scenario: "deliver: one activity to distinct inboxes, signed, through the push queue", rows, notes };
}

/** signRequest alone: sequential, so wall time per call is its latency and CPU per call is its cost. */
async function signing(): Promise<Row[]> {
  const container = await open({});
  try {
    const signer = (await loadSigner(container.jobDeps, await benchAccount(container)))!;
    const body = new TextEncoder().encode(noteActivity(container.config.baseUrl));
    const out: Row[] = [];
    for (const spec of ["draft-cavage-http-signatures-12", "rfc9421"] as const) {
      const sign = () => signRequest(new Request("http://127.0.0.1:9/inbox", { method: "POST", headers: { "content-type": "application/activity+json" }, body }), signer.privateKey, signer.keyId, { spec, body: body.slice().buffer });
      for (let i = 0; i < 50; i++) await sign();
      const calls = 500;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await sign();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      out.push({ run: `signRequest only (${spec === "rfc9421" ? "RFC 9421" : "draft-cavage"})`, calls, "CPU ms/call": round3((cpu.user + cpu.system) / 1000 / calls), "wall ms/call": round3(ms / calls) });
    }
    return out;
  } finally {
    await container.close();
  }
}

async function open(env: Record<string, string>): Promise<Container> {
  const config = loadConfig({
    DATA_DIR: tempDir(), LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32",
    ACTOR_KEYS_AT_CREATION: "false", LOG_LEVEL: "error", ...env,
  });
  return buildContainer(config, silentLogger, { role: "bench", migrate: true, checks: false });
}

async function benchAccount(container: Container): Promise<bigint> {
  const found = await container.db.repos.accounts.findLocalRecord("bench");
  if (found) return found.id;
  const created = await createAccount(container.jobDeps, { username: "bench", email: "bench@example.com", password: "correct horse battery", role: "user", confirmed: true, approved: true });
  if (!created.ok) throw new Error(`could not create the bench account: ${JSON.stringify(created.error)}`);
  return created.value.account.accountId;
}

async function measure(backend: string, env: Record<string, string>, port: number, n: number, concurrency: number): Promise<Row> {
  const container = await open(env);
  try {
    const accountId = await benchAccount(container);
    await loadSigner(container.jobDeps, accountId); // generates the keys outside the timed part
    const before = await receiverCount(port);
    const body = noteActivity(container.config.baseUrl);
    const inboxes = Array.from({ length: n }, (_, i) => `http://127.0.0.1:${port}/bench-${randomBytes(3).toString("hex")}/${i}/inbox`);
    const e0 = performance.now();
    const result = await container.db.transaction((tx) => enqueueDeliveries(tx, { body, signerAccountId: String(accountId), inboxes }, container.jobDeps));
    const enqueueMs = performance.now() - e0;
    if (result.enqueued.length !== n) throw new Error(`enqueued ${result.enqueued.length} of ${n}: ${JSON.stringify(result.skipped.slice(0, 3))}`);

    const outcomes = new Map<DeliveryOutcome, number>();
    let done = 0;
    let finished!: () => void;
    const allDone = new Promise<void>((r) => (finished = r));
    const deps: JobDeps & { deliveries: { delivered(o: DeliveryOutcome): void } } = {
      ...container.jobDeps,
      deliveries: {
        delivered(outcome) {
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (++done === n) finished();
        },
      },
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const worker = container.queue.work({ queues: [{ queue: "push", weight: 1 }], concurrency, handler: createDispatcher(ALL_JOBS, deps) });
    const timedOut = await Promise.race([allDone.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), LIMIT_MS).unref())]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await worker.close(10_000);
    const after = await receiverCount(port);
    const row: Row = {
      run: `deliver (${backend})`,
      deliveries: done,
      "enqueue ms": Math.round(enqueueMs),
      "deliveries/s": Math.round((done / ms) * 1000),
      seconds: Number((ms / 1000).toFixed(2)),
      "CPU ms/delivery": round3((cpu.user + cpu.system) / 1000 / Math.max(1, done)),
      received: after.posts - before.posts,
      outcomes: [...outcomes].map(([k, v]) => `${k} ${v}`).join(", "),
    };
    if (timedOut) row.note = `stopped after ${LIMIT_MS / 1000} s with ${done} of ${n} done`;
    return row;
  } finally {
    await container.close();
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
