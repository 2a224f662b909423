/**
 * Incoming federation: signed Create activities (public Notes) POSTed to `herd start`'s shared inbox by a local
 * sender with 50 connections, as a busy peer delivers them. Two figures: accepted per second (signature verified,
 * queued on `ingress`: the rate a peer sees answered) and processed per second (from the first POST until every
 * status is stored, read from the database). Goal: ≥ 300/s. The activities are signed (draft-cavage, rsa-sha256,
 * as Mastodon signs) before the clock starts, so the sender's signing does not compete with the server for the
 * two cores. The activities come from ACTORS accounts of the sending server, in turn, as a busy peer's traffic
 * does (one account's posts alone would measure the row lock on its counters). No local account follows them:
 * each status still runs its fan-out and search-indexing jobs, which find no home feed to fill.
 */
import { randomBytes, webcrypto } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import pg from "pg";
import type { BenchResult } from "../run.ts";
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freshPostgres, herd, migrate, sleep, tempDir, wantedSetup } from "../support.ts";

const ACTIVITIES = 3_000;
const CONNECTIONS = 50;
const ACTORS = 20;
const AS = "https://www.w3.org/ns/activitystreams";

async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"],
  ) as Promise<webcrypto.CryptoKeyPair>;
}

async function exportSpki(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey("spki", key)).toString("base64");
  return `-----BEGIN PUBLIC KEY-----\n${der.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The sending server: ACTORS actors (sender0…) sharing one key pair, fetched by the inbox to verify signatures. */
async function sender(publicKeyPem: string): Promise<{ server: Server; origin: string; fetches: () => number }> {
  let fetches = 0;
  let origin = "";
  const server = createServer((req, res) => {
    fetches++;
    const name = /^\/users\/(sender\d+)$/.exec(req.url ?? "")?.[1];
    if (name) {
      const actor = `${origin}/users/${name}`;
      res.writeHead(200, { "content-type": "application/activity+json" });
      res.end(JSON.stringify({
        "@context": [AS, "https://w3id.org/security/v1"],
        id: actor,
        type: "Person",
        preferredUsername: name,
        name: `Bench ${name}`,
        inbox: `${actor}/inbox`,
        followers: `${actor}/followers`,
        publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem },
      }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin, fetches: () => fetches };
}

interface Setup {
  readonly label: string;
  readonly env: Record<string, string>;
  /**
   * The processes to run, each as herd's arguments: the first serves HTTP (the inbox). Default: one `herd start`.
   */
  readonly processes?: readonly (readonly string[])[];
  count(origin: string): Promise<number>;
  drop(): Promise<void>;
}

/** Counts the statuses from `origin` in the PostgreSQL database at `url`. */
function countOn(url: string): (origin: string) => Promise<number> {
  return async (origin) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return Number((await c.query("select count(*) as n from statuses where uri like $1", [`${origin}/%`])).rows[0].n);
    } finally {
      await c.end();
    }
  };
}

async function setups(notes: string[]): Promise<Setup[]> {
  const dir = tempDir();
  const list: Setup[] = [
    {
      label: "herd start (SQLite)",
      env: { DATA_DIR: dir },
      async count(origin) {
        const db = new DatabaseSync(join(dir, "herd.sqlite3"), { readOnly: true });
        try {
          const row = db.prepare("select count(*) as n from statuses where uri like ?").get(`${origin}/%`) as { n: number };
          return Number(row.n);
        } finally {
          db.close();
        }
      },
      drop: async () => {},
    },
  ];
  const start = "herd start (PostgreSQL, Redis), --concurrency 16";
  const split = "herd web + herd worker (PostgreSQL, Redis), --concurrency 16";
  if (!wantedSetup(start) && !wantedSetup(split)) return list.filter((s) => wantedSetup(s.label));
  if (!BENCH_DATABASE_URL || !BENCH_REDIS_URL) {
    notes.push("PostgreSQL + Redis skipped: set BENCH_DATABASE_URL and BENCH_REDIS_URL (or TEST_*)");
    return list.filter((s) => wantedSetup(s.label));
  }
  // Jobs on PostgreSQL wait on round trips, not on the CPU: more of them at once (the pool sized to match).
  const pgEnv = (url: string) => ({ DATA_DIR: tempDir(), DATABASE_URL: url, REDIS_URL: BENCH_REDIS_URL!, REDIS_NAMESPACE: `bench${randomBytes(3).toString("hex")}`, DB_POOL: "20" });
  if (wantedSetup(start)) {
    const pgdb = await freshPostgres();
    list.push({ label: start, env: pgEnv(pgdb.url), processes: [["start", "--concurrency", "16"]], count: countOn(pgdb.url), drop: pgdb.drop });
  }
  // How an instance on PostgreSQL + Redis is meant to run: the inbox in `herd web`, its jobs in a `herd worker`,
  // each with a core of its own (in one process, answering peers and processing share one thread).
  if (wantedSetup(split)) {
    const pgdb = await freshPostgres();
    // `herd web` and `herd worker` leave migrating to `herd migrate`, as a deployment runs it before them.
    await migrate({ DATABASE_URL: pgdb.url });
    list.push({
      label: split, env: { ...pgEnv(pgdb.url), METRICS_PORT: "0" }, processes: [["web"], ["worker", "--concurrency", "16"]],
      count: countOn(pgdb.url), drop: pgdb.drop,
    });
  }
  return list.filter((s) => wantedSetup(s.label));
}

/** POSTs pre-signed requests with `CONNECTIONS` in flight; returns the seconds it took and the statuses seen. */
async function deliverAll(inbox: string, requests: readonly { headers: Record<string, string>; body: string }[]) {
  let next = 0;
  const statuses = new Map<number, number>();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const res = await fetch(inbox, { method: "POST", headers: r.headers, body: r.body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, statuses };
}

export async function run(): Promise<BenchResult> {
  const { signRequest } = await import("@fedify/fedify");
  const notes = [
    `${ACTIVITIES.toLocaleString("en-US")} signed Create(Note) activities from ${ACTORS} accounts of one server to the shared inbox, ${CONNECTIONS} connections, sender in this process on the same cores (signed before timing)`,
  ];
  const rows: Record<string, string | number>[] = [];
  const keys = await generateKeyPair();
  const peer = await sender(await exportSpki(keys.publicKey));
  try {
    for (const setup of await setups(notes)) {
      const port = await freePort();
      const domain = `127.0.0.1:${port}`;
      const env = { ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
        ...(process.env.HERD_SQL_PROFILE ? { HERD_SQL_PROFILE: process.env.HERD_SQL_PROFILE } : {}),
        ...setup.env, PORT: String(port), LOCAL_DOMAIN: domain, LOCAL_HTTPS: "false", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32", LOG_LEVEL: "warn",
      };
      const children = (setup.processes ?? [["start"]]).map((args) => herd([...args], env));
      const child = children[0];
      try {
        // LOG_LEVEL=warn hides the ready line: wait for the port instead.
        let up = false;
        for (let i = 0; i < 600 && !up; i++) {
          up = await fetch(`http://${domain}/health`).then((r) => r.ok, () => false);
          if (!up) await sleep(100);
        }
        if (!up) throw new Error(`herd ${(setup.processes ?? [["start"]])[0][0]} did not come up`);
        const inbox = `http://${domain}/inbox`;
        const requests: { headers: Record<string, string>; body: string }[] = [];
        const run = Date.now().toString(36);
        for (let i = 0; i < ACTIVITIES; i++) {
          const actor = `${peer.origin}/users/sender${i % ACTORS}`;
          const id = `${actor}/statuses/${run}${i}`;
          const body = JSON.stringify({
            "@context": AS,
            id: `${id}/activity`,
            type: "Create",
            actor,
            published: new Date().toISOString(),
            to: [`${AS}#Public`],
            cc: [`${actor}/followers`],
            object: {
              id, type: "Note", attributedTo: actor, content: `<p>Benchmark note ${i} from a peer</p>`, published: new Date().toISOString(),
              to: [`${AS}#Public`], cc: [`${actor}/followers`], url: id,
            },
          });
          const signed = await signRequest(
            new Request(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body }),
            keys.privateKey, new URL(`${actor}#main-key`), { spec: "draft-cavage-http-signatures-12" },
          );
          requests.push({ headers: Object.fromEntries(signed.headers), body });
        }
        // One warm-up activity per actor resolves it (a first fetch every real peer pays once per account).
        await deliverAll(inbox, requests.slice(0, ACTORS));
        while ((await setup.count(peer.origin)) < ACTORS) await sleep(20);
        const start = performance.now();
        const posted = await deliverAll(inbox, requests.slice(ACTORS));
        let stored = 0;
        const deadline = Date.now() + 300_000;
        while ((stored = await setup.count(peer.origin)) < ACTIVITIES && Date.now() < deadline) await sleep(50);
        const processedSeconds = (performance.now() - start) / 1000;
        const accepted = [...posted.statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0);
        rows.push({
          server: setup.label,
          "accepted/s": Math.round(accepted / posted.seconds),
          "processed/s": Math.round((stored - ACTORS) / processedSeconds),
          stored,
          "non-2xx": ACTIVITIES - ACTORS - accepted,
          "rss MiB": Math.round(children.reduce((n, c) => n + c.rssMiB(), 0)),
        });
      } finally {
        await Promise.all(children.map((c) => c.stop()));
        await setup.drop();
      }
    }
  } finally {
    peer.server.close();
  }
  return { scenario: "ingest", rows, notes };
}
