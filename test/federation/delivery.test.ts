import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import { preloadedContexts, verifyRequest, type DocumentLoader } from "@fedify/fedify";
import { deliverOnce } from "../../src/federation/deliver-job.ts";
import { createDispatcher } from "../../src/jobs/dispatch.ts";
import { ALL_JOBS } from "../../src/jobs/index.ts";
import type { JobDeps } from "../../src/jobs/deps.ts";
import type { Clock } from "../../src/ports/clock.ts";
import {
  deliveryKey,
  enqueueDeliveries,
  judgeResponse,
  MASTODON_DELIVERY_SCHEDULE,
  parseRetryAfter,
  setDeliverySchedule,
  type DeliverySchedule,
} from "../../src/services/federation/delivery.ts";
import { FAILURE_DAYS_THRESHOLD, listGoneInboxes, listUnavailableDomains, PROBE_INTERVAL_MS } from "../../src/services/federation/delivery-state.ts";
import { blockDomain } from "../../src/services/federation/domain-moderation.ts";
import { uniqueName } from "../support/backends.ts";
import { appVariants, startTestApp, type TestApp } from "../support/test-app.ts";

const DAY = 24 * 60 * 60 * 1000;
/** Retries in milliseconds: queue delays are real, so the schedule is what tests shorten. */
const FAST: DeliverySchedule = { maxAttempts: 4, retryDelayMs: () => 20, retryAfterCapMs: 50 };

interface Delivery {
  readonly path: string;
  readonly body: string;
  readonly contentType: string | undefined;
  /** The key the signature verified with; null when it did not verify. */
  readonly keyId: string | null;
  readonly status: number;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

/** A remote server's inbox on 127.0.0.1: verifies each signature by fetching the key from the app, replies as scripted. */
interface Receiver {
  readonly base: string;
  readonly domain: string;
  readonly deliveries: Delivery[];
  /** Replies for the next requests, in order; afterwards 202. */
  script(...replies: Reply[]): void;
  /** Replies to every request from now on. */
  always(reply: Reply | null): void;
  waitFor(n: number, timeoutMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

async function startReceiver(t: TestApp): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  let queue: Reply[] = [];
  let fixed: Reply | null = null;
  const loader: DocumentLoader = async (url) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    if (!url.startsWith(t.baseUrl)) throw new Error(`unexpected fetch of ${url}`);
    const res = await t.request("GET", new URL(url).pathname, { headers: { accept: "application/activity+json" } });
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return { contextUrl: null, documentUrl: url, document: JSON.parse(res.text) };
  };
  let base = "";
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const key = await verifyRequest(new Request(`${base}${req.url}`, { method: req.method, headers, body }), { documentLoader: loader, contextLoader: loader }).catch(() => null);
    const reply = !key ? { status: 401 } : (queue.shift() ?? fixed ?? { status: 202 });
    deliveries.push({ path: req.url!, body, contentType: req.headers["content-type"], keyId: key?.id?.href ?? null, status: reply.status });
    res.writeHead(reply.status, reply.headers ?? {}).end();
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    base,
    domain: `127.0.0.1:${port}`,
    deliveries,
    script: (...replies) => void (queue = replies),
    always: (reply) => void (fixed = reply),
    async waitFor(n, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (deliveries.length < n) {
        if (Date.now() > end) throw new Error(`expected ${n} deliveries, got ${deliveries.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return deliveries;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Waits until no push job waits, runs or is delayed: every attempt has happened or been given up. */
async function settled(t: TestApp, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await t.container.queue.counts("push");
    if (c.waiting + c.active + c.delayed === 0) return;
    if (Date.now() > end) throw new Error(`push jobs still pending: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function activity(t: TestApp, actor: string, n: string) {
  return JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: `${t.baseUrl}/users/${actor}#likes/${n}`, type: "Like", actor: `${t.baseUrl}/users/${actor}`, object: "http://127.0.0.1/notes/1" });
}

describe("delivery policy (pure)", () => {
  it("reads Retry-After as seconds or an HTTP date, and caps it", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    assert.equal(parseRetryAfter("120", now), 120_000);
    assert.equal(parseRetryAfter(" 0 ", now), 0);
    assert.equal(parseRetryAfter("Tue, 01 Dec 2026 12:05:00 GMT", now), 300_000);
    assert.equal(parseRetryAfter("Tue, 01 Dec 2026 11:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("soon", now), null);
    assert.equal(parseRetryAfter("-5", now), null);
    assert.equal(parseRetryAfter(null, now), null);
    assert.deepEqual(judgeResponse(429, "86400", now, 3_600_000), { kind: "retry", countsAsFailure: false, retryAfterMs: 3_600_000 });
    assert.deepEqual(judgeResponse(429, null, now, 3_600_000), { kind: "retry", countsAsFailure: false });
    assert.deepEqual(judgeResponse(503, "60", now, 3_600_000), { kind: "retry", countsAsFailure: true, retryAfterMs: 60_000 });
    assert.deepEqual(judgeResponse(500, "60", now, 3_600_000), { kind: "retry", countsAsFailure: true });
  });

  it("judges statuses as Mastodon does", () => {
    const j = (s: number) => judgeResponse(s, null, 0, 1000).kind;
    assert.deepEqual([200, 202, 204].map(j), ["delivered", "delivered", "delivered"]);
    assert.equal(j(410), "gone");
    assert.deepEqual([400, 403, 404, 422].map(j), ["rejected", "rejected", "rejected", "rejected"]);
    assert.deepEqual([401, 408, 429, 500, 502, 503, 301].map(j), ["retry", "retry", "retry", "retry", "retry", "retry", "retry"]);
  });

  it("retries for about two days on Sidekiq's curve, as Mastodon's DeliveryWorker", () => {
    const s = MASTODON_DELIVERY_SCHEDULE;
    let total = 0;
    for (let a = 1; a < s.maxAttempts; a++) total += s.retryDelayMs(a, () => 0.5);
    assert.equal(s.maxAttempts, 17);
    assert.equal(s.retryDelayMs(1, () => 0), 15_000);
    assert.equal(s.retryDelayMs(3, () => 0.99), (16 + 15 + 9 * 3) * 1000);
    assert.ok(total > 1.9 * DAY && total < 2.3 * DAY, `total ${total / DAY} days`);
  });

  it("keys a delivery by activity id and inbox", () => {
    const a = deliveryKey('{"id":"https://h/1","type":"Like"}', "https://x/inbox");
    assert.equal(a, deliveryKey('{"type":"Like","id":"https://h/1"}', "https://x/inbox"));
    assert.notEqual(a, deliveryKey('{"id":"https://h/1"}', "https://y/inbox"));
    assert.notEqual(a, deliveryKey('{"id":"https://h/2"}', "https://x/inbox"));
  });
});

for (const variant of appVariants) {
  describe(`delivery (${variant.name})`, { skip: variant.skip }, () => {
    let t: TestApp;
    const receivers: Receiver[] = [];
    const receiver = async () => {
      const r = await startReceiver(t);
      receivers.push(r);
      return r;
    };
    before(async () => {
      t = await startTestApp(variant.name, { LOCAL_HTTPS: "false", ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32" });
      setDeliverySchedule(FAST);
    });
    afterEach(async () => {
      setDeliverySchedule(FAST);
      await settled(t).catch(() => {});
    });
    after(async () => {
      setDeliverySchedule(null);
      await t?.close();
      for (const r of receivers) await r.close();
    });
    const deliver = (body: string, signerAccountId: string, inboxes: string[], deps: JobDeps = t.container.jobDeps) =>
      t.container.db.transaction((tx) => enqueueDeliveries(tx, { body, signerAccountId, inboxes }, deps));

    it("delivers once per distinct inbox, signed with the account's key", async () => {
      const name = uniqueName("ana");
      const u = await t.user(name);
      const r = await receiver();
      const body = activity(t, name, "1");
      const result = await t.container.db.transaction(async (tx) => {
        const first = await enqueueDeliveries(tx, { body, signerAccountId: u.accountId, inboxes: [`${r.base}/inbox`, `${r.base}/inbox#x`, `${r.base}/users/bo/inbox`, "not a url", "ftp://x/inbox", `${t.baseUrl}/inbox`] }, t.container.jobDeps);
        // The same delivery again while the first waits: the dedup key makes it a no-op.
        await enqueueDeliveries(tx, { body, signerAccountId: u.accountId, inboxes: [`${r.base}/inbox`] }, t.container.jobDeps);
        return first;
      });
      assert.deepEqual(result.enqueued, [`${r.base}/inbox`, `${r.base}/users/bo/inbox`]);
      assert.deepEqual(result.skipped.map((s) => s.reason), ["invalid", "invalid", "local"]);
      await r.waitFor(2);
      await settled(t);
      assert.equal(r.deliveries.length, 2);
      assert.deepEqual(r.deliveries.map((d) => d.path).sort(), ["/inbox", "/users/bo/inbox"]);
      for (const d of r.deliveries) {
        assert.equal(d.keyId, `${t.baseUrl}/users/${name}#main-key`);
        assert.equal(d.body, body);
        assert.equal(d.contentType, "application/activity+json");
        assert.equal(d.status, 202);
      }
    });

    it("signs as the instance actor for signer 0, and drops deliveries whose signer is gone", async () => {
      const r = await receiver();
      await deliver(activity(t, "x", "2"), "0", [`${r.base}/inbox`]);
      const [d] = await r.waitFor(1);
      assert.equal(d.keyId, `${t.baseUrl}/actor#main-key`);
      const outcome = await deliverOnce(t.container.jobDeps, { inbox: `${r.base}/inbox`, body: "{}", signerAccountId: "999999999", attempt: 1 });
      assert.equal(outcome, "no_signer");
      assert.equal(r.deliveries.length, 1);
    });

    it("retries a 500 and delivers on the next attempt; the domain is healthy again", async () => {
      const u = await t.user(uniqueName("cy"));
      const r = await receiver();
      r.script({ status: 500 });
      await deliver(activity(t, "cy", "3"), u.accountId, [`${r.base}/inbox`]);
      await r.waitFor(2);
      await settled(t);
      assert.deepEqual(r.deliveries.map((d) => d.status), [500, 202]);
      assert.equal(r.deliveries[0].body, r.deliveries[1].body);
      const state = await t.container.db.repos.deliveryState.find(r.domain);
      assert.equal(state?.failureDays, 0);
      assert.ok(state?.lastSuccessAt);
    });

    it("gives up after the last attempt, and on a 4xx at once", async () => {
      const u = await t.user(uniqueName("di"));
      const down = await receiver();
      down.always({ status: 503 });
      const refusing = await receiver();
      refusing.always({ status: 403 });
      await deliver(activity(t, "di", "4"), u.accountId, [`${down.base}/inbox`, `${refusing.base}/inbox`]);
      await down.waitFor(FAST.maxAttempts);
      await settled(t);
      assert.equal(down.deliveries.length, FAST.maxAttempts);
      assert.equal(refusing.deliveries.length, 1);
      const state = await t.container.db.repos.deliveryState.find(down.domain);
      assert.equal(state?.failureDays, 1, "failures on one day count once");
      assert.equal(state?.unavailableSince, null);
      assert.equal(await t.container.db.repos.deliveryState.find(refusing.domain), null, "a 4xx is not held against the domain");
    });

    it("records a 410 inbox as gone, without retrying", async () => {
      const u = await t.user(uniqueName("ed"));
      const r = await receiver();
      r.script({ status: 410 });
      await deliver(activity(t, "ed", "5"), u.accountId, [`${r.base}/users/gone/inbox`]);
      await r.waitFor(1);
      await settled(t);
      assert.equal(r.deliveries.length, 1);
      const gone = await listGoneInboxes(t.container.db);
      assert.ok(gone.some((g) => g.inbox === `${r.base}/users/gone/inbox` && g.domain === r.domain));
    });

    it("honours a 429's Retry-After (capped) and does not count it against the domain", async () => {
      const u = await t.user(uniqueName("fe"));
      const r = await receiver();
      r.script({ status: 429, headers: { "retry-after": "86400" } });
      await deliver(activity(t, "fe", "6"), u.accountId, [`${r.base}/inbox`]);
      await r.waitFor(2);
      await settled(t);
      assert.deepEqual(r.deliveries.map((d) => d.status), [429, 202]);
      assert.equal(await t.container.db.repos.deliveryState.find(r.domain), null);
    });

    it("skips refused domains", async () => {
      const u = await t.user(uniqueName("gi"));
      const r = await receiver();
      const blocked = await blockDomain(t.container.jobDeps, { domain: r.domain, severity: "suspend" });
      assert.ok(blocked.ok);
      const result = await deliver(activity(t, "gi", "7"), u.accountId, [`${r.base}/inbox`]);
      assert.deepEqual(result.enqueued, []);
      assert.deepEqual(result.skipped, [{ inbox: `${r.base}/inbox`, reason: "refused" }]);
      assert.equal(await deliverOnce(t.container.jobDeps, { inbox: `${r.base}/inbox`, body: "{}", signerAccountId: u.accountId, attempt: 2 }), "refused");
      assert.equal(r.deliveries.length, 0);
    });

    it("a peer that never answers does not hold up another inbox", async () => {
      const u = await t.user(uniqueName("ha"));
      const good = await receiver();
      const sockets = new Set<Socket>();
      let requested = false;
      const hole = createTcpServer((s) => {
        sockets.add(s);
        s.on("data", () => void (requested = true));
        s.on("error", () => {});
      });
      await new Promise<void>((res) => hole.listen(0, "127.0.0.1", res));
      const holeInbox = `http://127.0.0.1:${(hole.address() as AddressInfo).port}/inbox`;
      // A worker with push slots to spare, as `herd worker --queues push:2` has: the test app's two slots are split
      // across six queues, which on BullMQ leaves push a single one (that the black hole would hold for 10 s).
      const pushWorker = t.container.queue.work({ queues: [{ queue: "push", weight: 1 }], concurrency: 4, handler: createDispatcher(ALL_JOBS, t.container.jobDeps) });
      try {
        await deliver(activity(t, "ha", "8"), u.accountId, [holeInbox]);
        for (let i = 0; !requested; i++) {
          assert.ok(i < 1_500, "the black hole got its request");
          await new Promise((res) => setTimeout(res, 10));
        }
        await deliver(activity(t, "ha", "8"), u.accountId, [`${good.base}/inbox`]);
        await good.waitFor(1);
        assert.equal(good.deliveries[0].status, 202);
        assert.ok([...sockets].some((s) => !s.destroyed), "the black-holed request was still waiting when the other was delivered");
      } finally {
        hole.close();
        for (const s of sockets) s.destroy();
        await settled(t);
        await pushWorker.close(2_000);
      }
    });

    it("marks a domain unavailable after failures on 7 distinct days, skips it, probes it, and clears it on success", async () => {
      const u = await t.user(uniqueName("io"));
      const r = await receiver();
      r.always({ status: 500 });
      let now = Date.now();
      const clock: Clock = { now: () => now };
      const deps: JobDeps = { ...t.container.jobDeps, clock };
      const body = activity(t, "io", "9");
      // The last attempt: failures are recorded, and no retry is enqueued to run on the real clock.
      const lastTry = { inbox: `${r.base}/inbox`, body, signerAccountId: u.accountId, attempt: FAST.maxAttempts };
      for (let day = 0; day < FAILURE_DAYS_THRESHOLD; day++) {
        assert.equal(await deliverOnce(deps, lastTry), "failed");
        if (day === 0) assert.equal(await deliverOnce(deps, lastTry), "failed");
        const state = await t.container.db.repos.deliveryState.find(r.domain);
        assert.equal(state?.failureDays, day + 1);
        const unavailable = (await listUnavailableDomains(t.container.db)).find((d) => d.domain === r.domain);
        if (day < FAILURE_DAYS_THRESHOLD - 1) assert.equal(unavailable, undefined, `available on day ${day}`);
        else assert.deepEqual(unavailable, { domain: r.domain, since: now, lastFailureAt: now });
        if (day < FAILURE_DAYS_THRESHOLD - 1) now += DAY;
      }
      const attempts = r.deliveries.length;
      assert.equal(attempts, FAILURE_DAYS_THRESHOLD + 1);

      // New deliveries are not enqueued; a pending retry stops without a request.
      const skipped = await deliver(body, u.accountId, [`${r.base}/inbox`, `${r.base}/other/inbox`], deps);
      assert.deepEqual(skipped.enqueued, []);
      assert.deepEqual(skipped.skipped.map((s) => s.reason), ["unavailable", "unavailable"]);
      assert.equal(await deliverOnce(deps, { ...lastTry, attempt: 2 }), "unavailable");
      assert.equal(r.deliveries.length, attempts);

      // Later, one delivery goes through as a probe; while the peer is still down it is not retried.
      now += PROBE_INTERVAL_MS + 1;
      const failedProbe = await deliver(body, u.accountId, [`${r.base}/inbox`], deps);
      assert.deepEqual(failedProbe.enqueued, [`${r.base}/inbox`]);
      await r.waitFor(attempts + 1);
      await settled(t);
      assert.equal(r.deliveries.length, attempts + 1);
      assert.equal((await listUnavailableDomains(t.container.db)).some((d) => d.domain === r.domain), true);
      assert.deepEqual((await deliver(body, u.accountId, [`${r.base}/inbox`], deps)).enqueued, [], "one probe per interval");

      // The next probe finds the peer back, and the domain is available again.
      now += PROBE_INTERVAL_MS + 1;
      r.always(null);
      const probe = await deliver(body, u.accountId, [`${r.base}/inbox`, `${r.base}/other/inbox`], deps);
      assert.deepEqual(probe.enqueued, [`${r.base}/inbox`]);
      assert.deepEqual(probe.skipped, [{ inbox: `${r.base}/other/inbox`, reason: "unavailable" }]);
      await r.waitFor(attempts + 2);
      await settled(t);
      assert.equal(r.deliveries.length, attempts + 2);
      assert.equal(r.deliveries.at(-1)?.status, 202);
      assert.equal((await listUnavailableDomains(t.container.db)).some((d) => d.domain === r.domain), false);
      const state = await t.container.db.repos.deliveryState.find(r.domain);
      assert.equal(state?.failureDays, 0);
      assert.equal(state?.unavailableSince, null);
      const again = await deliver(activity(t, "io", "10"), u.accountId, [`${r.base}/inbox`, `${r.base}/other/inbox`], deps);
      assert.equal(again.enqueued.length, 2);
    });
  });
}
