import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../src/app/logger.ts";
import { runStart, runStreaming } from "../../src/app/roles.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createAccount } from "../../src/services/admin/accounts.ts";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { homeChannel } from "../../src/services/streaming/channels.ts";
import { createPostgresDatabaseUrl, SKIP_POSTGRES, SKIP_REDIS, TEST_REDIS_URL, uniqueName } from "../support/backends.ts";
import { tempDataDir } from "../support/cli.ts";
import type { JobDeps } from "../../src/jobs/deps.ts";
import { StreamEvents, StreamSocket } from "./stream-clients.ts";

async function tokenFor(deps: JobDeps, username: string): Promise<{ accountId: bigint; token: string }> {
  const created = await createAccount(deps, { username, email: `${username}@example.com`, password: "correct horse battery", role: "user", confirmed: true, approved: true });
  if (!created.ok) throw new Error("no account");
  const token = await createAccessToken(deps, username, "read write");
  if (!token.ok) throw new Error("no token");
  return { accountId: created.value.account.accountId, token: token.value.token };
}

describe("streaming in the roles", () => {
  it("herd start serves the WebSocket and SSE streaming API on its own HTTP port", async () => {
    const config = loadConfig({ DATA_DIR: tempDataDir(), PORT: "0", LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" });
    const role = await runStart(config, silentLogger, { queues: [{ queue: "default", weight: 1 }], concurrency: 1 });
    let ws: StreamSocket | undefined;
    let sse: StreamEvents | undefined;
    try {
      const base = `127.0.0.1:${role.ports.http}`;
      const health = await fetch(`http://${base}/api/v1/streaming/health`);
      assert.equal(await health.text(), "OK");
      const alice = await tokenFor(role.container.jobDeps, "role_alice");
      ws = await StreamSocket.open(`ws://${base}/api/v1/streaming?stream=user`, { protocols: [alice.token] });
      await ws.roundTrip();
      const opened = await StreamEvents.open(`http://${base}/api/v1/streaming/user`, { authorization: `Bearer ${alice.token}` });
      assert.ok(opened instanceof StreamEvents);
      sse = opened;
      const res = await fetch(`http://${base}/api/v1/statuses`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ status: "from herd start", visibility: "public" }),
      });
      const id = ((await res.json()) as { id: string }).id;
      await ws.event("user", "update", (m) => m.body.id === id);
      await sse.next("update", (e) => JSON.parse(e.data).id === id);
      const metrics = await (await fetch(`http://${base}/metrics`)).text();
      assert.match(metrics, /herd_streaming_connected_clients\{type="websocket",role="start"\} 1/);
      assert.match(metrics, /herd_streaming_connected_clients\{type="eventsource",role="start"\} 1/);
    } finally {
      ws?.close();
      sse?.close();
      // Stopping closes the open streams instead of waiting out the shutdown timeout.
      await role.stop();
    }
  });

  it("herd streaming serves health, WebSocket and SSE on STREAMING_PORT, fed over Redis", { skip: SKIP_POSTGRES || SKIP_REDIS }, async () => {
    const { url, drop } = await createPostgresDatabaseUrl();
    const env = { DATA_DIR: tempDataDir(), PORT: "0", STREAMING_PORT: "0", DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL!, REDIS_NAMESPACE: uniqueName("streaming") };
    // The schema comes from a migrating role, as in production (herd migrate).
    const start = await runStart(loadConfig(env), silentLogger, { queues: [{ queue: "default", weight: 1 }], concurrency: 1 });
    const role = await runStreaming(loadConfig(env), silentLogger);
    let ws: StreamSocket | undefined;
    try {
      const base = `127.0.0.1:${role.ports.streaming}`;
      assert.equal(await (await fetch(`http://${base}/api/v1/streaming/health`)).text(), "OK");
      const alice = await tokenFor(start.container.jobDeps, "role_bob");
      ws = await StreamSocket.open(`ws://${base}/api/v1/streaming`, { headers: { authorization: `Bearer ${alice.token}` } });
      await ws.subscribe("user");
      // A post on the other process reaches this one through Redis.
      const res = await fetch(`http://127.0.0.1:${start.ports.http}/api/v1/statuses`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ status: "across processes", visibility: "public" }),
      });
      const id = ((await res.json()) as { id: string }).id;
      await ws.event("user", "update", (m) => m.body.id === id);
      assert.ok(role.container.pubsub.subscribedChannels().includes(homeChannel(alice.accountId)));
      const refused = await StreamEvents.open(`http://${base}/api/v1/streaming/user`);
      assert.deepEqual(refused, { status: 401, body: { error: "Missing access token" } });
    } finally {
      ws?.close();
      await role.stop();
      await start.stop();
      await drop();
    }
  });
});
