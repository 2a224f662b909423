import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPostgresDatabaseUrl, SKIP_POSTGRES, SKIP_REDIS, TEST_REDIS_URL, uniqueName } from "../support/backends.ts";
import { runHerd, startHerd, type HerdProcess } from "../support/cli.ts";
import { StreamSocket } from "../streaming/stream-clients.ts";

const skip = SKIP_POSTGRES || SKIP_REDIS;

/** Creates a confirmed account with the CLI and returns a token for it. */
async function userWithToken(env: Record<string, string>, username: string): Promise<string> {
  const created = await runHerd(["admin", "accounts", "create", username, "--email", `${username}@example.com`, "--confirmed", "--approve"], env);
  assert.equal(created.code, 0, created.stderr);
  const token = await runHerd(["admin", "tokens", "create", username, "--scopes", "read write follow"], env);
  assert.equal(token.code, 0, token.stderr);
  return token.stdout.trim();
}

async function api(base: string, token: string, method: string, path: string, body?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${method} ${path}: ${text}`);
  return JSON.parse(text);
}

describe("streaming across processes on PostgreSQL and Redis", { skip }, () => {
  it("a post and its deletion made through herd web reach the user and public subscribers of two herd streaming processes", async () => {
    const { url, drop } = await createPostgresDatabaseUrl();
    const env = {
      DATABASE_URL: url,
      REDIS_URL: TEST_REDIS_URL!,
      REDIS_NAMESPACE: uniqueName("e2e_stream"),
      PORT: "0",
      LOG_LEVEL: "info",
    };
    const procs: HerdProcess[] = [];
    const sockets: StreamSocket[] = [];
    let binaryFrames = 0;
    try {
      assert.equal((await runHerd(["migrate"], env)).code, 0);
      const authorToken = await userWithToken(env, "stream_author");
      const followerToken = await userWithToken(env, "stream_follower");

      const web = startHerd(["web"], env);
      const worker = startHerd(["worker", "--metrics-port", "0"], env);
      // Two streaming processes, each with its own streaming and metrics port.
      const streamers = [1, 2].map(() => startHerd(["streaming"], { ...env, STREAMING_PORT: "0", METRICS_PORT: "0" }));
      procs.push(web, worker, ...streamers);
      const webBase = `http://127.0.0.1:${(await web.waitFor((l) => l.msg === "herd web is running")).port}`;
      await worker.waitFor((l) => l.msg === "herd worker is running");
      const streamingPorts = await Promise.all(streamers.map(async (s) => (await s.waitFor((l) => l.msg === "herd streaming is running")).port as number));
      assert.notEqual(streamingPorts[0], streamingPorts[1]);

      const author = await api(webBase, authorToken, "GET", "/api/v1/accounts/verify_credentials");
      const relationship = await api(webBase, followerToken, "POST", `/api/v1/accounts/${author.id}/follow`);
      assert.equal(relationship.following, true);

      // One follower client per streaming process, as masto.js connects: the token as the subprotocol.
      for (const port of streamingPorts) {
        const ws = await StreamSocket.open(`ws://127.0.0.1:${port}/api/v1/streaming`, { protocols: [followerToken] });
        sockets.push(ws);
        // Browsers hand binary frames to masto.js as Blobs: every event must be a text frame.
        ws.ws.on("message", (_data, isBinary) => {
          if (isBinary) binaryFrames++;
        });
        await ws.subscribe("user");
        await ws.subscribe("public");
      }

      const status = await api(webBase, authorToken, "POST", "/api/v1/statuses", { status: "Hello from herd web to every streaming process", visibility: "public" });
      for (const ws of sockets) {
        const onPublic = await ws.event("public", "update", (m) => m.body?.id === status.id);
        assert.equal(onPublic.body.content, status.content);
        assert.equal(onPublic.body.account.id, author.id);
        const onUser = await ws.event("user", "update", (m) => m.body?.id === status.id);
        assert.equal(onUser.body.account.id, author.id);
        assert.equal(onUser.body.favourited, false, "the user stream renders for the follower");
      }

      await api(webBase, authorToken, "DELETE", `/api/v1/statuses/${status.id}`);
      for (const ws of sockets) {
        assert.equal((await ws.event("public", "delete", (m) => m.payload === status.id)).payload, status.id);
        assert.equal((await ws.event("user", "delete", (m) => m.payload === status.id)).payload, status.id);
      }
      assert.equal(binaryFrames, 0, "events arrive as text frames");
      // Each event came once per stream on each process.
      for (const ws of sockets) {
        assert.equal(ws.events("public", "update").filter((m) => m.body?.id === status.id).length, 1);
        assert.equal(ws.events("user", "update").filter((m) => m.body?.id === status.id).length, 1);
      }

      for (const ws of sockets) ws.close();
      for (const p of procs) assert.equal(await p.stop("SIGTERM"), 0, "graceful shutdown exits 0");
    } finally {
      for (const ws of sockets) ws.close();
      await Promise.all(procs.map((p) => p.stop("SIGKILL")));
      await drop();
    }
  });
});
