import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../src/app/logger.ts";
import { loadConfig } from "../../src/config/load.ts";
import { runStart } from "../../src/app/roles.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { tempDataDir } from "../support/cli.ts";
import { createPostgresDatabaseUrl, SKIP_POSTGRES, SKIP_REDIS, TEST_REDIS_URL, uniqueName } from "../support/backends.ts";

describe("health and metrics", () => {
  it("answers /health with 200 OK text, and 503 naming the backend that is down", async () => {
    let up = true;
    const app = createHttpApp({
      log: silentLogger, trustedProxies: [], metricsAllowed: [],
      health: [{ name: "database", check: async () => { if (!up) throw new Error("down"); } }],
    });
    const ok = await app.request("/health");
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "OK");
    assert.match(ok.headers.get("content-type") ?? "", /^text\/plain/);
    up = false;
    const down = await app.request("/health");
    assert.equal(down.status, 503);
    assert.match(await down.text(), /database/);
  });

  it("answers unknown paths with Mastodon's JSON error shape", async () => {
    const app = createHttpApp({ log: silentLogger, trustedProxies: [], metricsAllowed: [], health: [] });
    const res = await app.request("/api/v1/nothing-here");
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "Not found" });
  });

  it("serves metrics to loopback and METRICS_ALLOWED_IPS only, behind trusted proxies too", async () => {
    const app = createHttpApp({
      log: silentLogger, trustedProxies: ["127.0.0.1"], metricsAllowed: ["192.0.2.0/24"], health: [],
      renderMetrics: async () => ({ contentType: "text/plain; version=0.0.4", body: "herd_up 1\n" }),
    });
    // app.request has no socket: the peer counts as 127.0.0.1, a trusted proxy here.
    assert.equal((await app.request("/metrics")).status, 200);
    assert.equal((await app.request("/metrics", { headers: { "x-forwarded-for": "192.0.2.7" } })).status, 200);
    const outsider = await app.request("/metrics", { headers: { "x-forwarded-for": "203.0.113.50" } });
    assert.equal(outsider.status, 403);
    assert.match(((await outsider.json()) as { error: string }).error, /METRICS_ALLOWED_IPS/);
  });

  it("herd start serves /health and Prometheus /metrics over real HTTP, then shuts down cleanly", async () => {
    const config = loadConfig({ DATA_DIR: tempDataDir(), PORT: "0" });
    const role = await runStart(config, silentLogger, { queues: [{ queue: "default", weight: 1 }], concurrency: 1 });
    try {
      const base = `http://127.0.0.1:${role.ports.http}`;
      const health = await fetch(`${base}/health`, { redirect: "manual" });
      assert.equal(health.status, 200);
      assert.equal(await health.text(), "OK");
      await fetch(`${base}/nope`);
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      const text = await metrics.text();
      assert.match(text, /herd_http_requests_total\{method="GET",route="\/health",status="200",role="start"\} 1/);
      assert.match(text, /herd_http_requests_total\{method="GET",route="unmatched",status="404"/);
      assert.match(text, /herd_http_request_duration_seconds_bucket/);
      assert.match(text, /herd_queue_jobs\{queue="default",state="waiting",role="start"\} 0/);
      assert.match(text, /herd_db_pool_connections\{state="total",role="start"\} 1/);
      assert.match(text, /herd_process_resident_memory_bytes/);
    } finally {
      await role.stop();
    }
  });

  it("herd start uses PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set", { skip: SKIP_POSTGRES || SKIP_REDIS }, async () => {
    const { url, drop } = await createPostgresDatabaseUrl();
    try {
      const config = loadConfig({ DATA_DIR: tempDataDir(), PORT: "0", DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL!, REDIS_NAMESPACE: uniqueName("start") });
      const role = await runStart(config, silentLogger, { queues: [{ queue: "default", weight: 1 }], concurrency: 1 });
      try {
        assert.equal(role.container.db.engine, "postgres");
        assert.equal(role.container.media.kind, "local");
        const health = await fetch(`http://127.0.0.1:${role.ports.http}/health`);
        assert.equal(await health.text(), "OK");
        const metrics = await (await fetch(`http://127.0.0.1:${role.ports.http}/metrics`)).text();
        assert.match(metrics, /herd_db_pool_connections\{state="total",role="start"\} [1-9]/);
      } finally {
        await role.stop();
      }
    } finally {
      await drop();
    }
  });
});
