import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkRedis,
  closeRedis,
  createRedis,
  parseInfo,
  type RedisCommandRunner,
} from "../../src/adapters/redis/redis-connection.ts";
import { SKIP_REDIS, TEST_REDIS_URL } from "../support/backends.ts";

/** Collects warnings so a test can assert on them. */
function recordingLog() {
  const warnings: { obj: object; msg?: string }[] = [];
  return { warnings, warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }) };
}

interface FakeServer {
  cluster?: boolean;
  /** Omitted from INFO when null (a server that does not report it). */
  policyInInfo?: string | null;
  /** What CONFIG GET answers; an Error means CONFIG is disabled. */
  config?: Record<string, string> | Error;
  aof?: boolean;
}

/** A server that answers INFO and CONFIG GET like Redis (or like a managed Redis that disabled CONFIG). */
function fakeRedis(server: FakeServer): RedisCommandRunner {
  return {
    async call(command: string, ...args: string[]) {
      if (command === "INFO") {
        const lines = ["# Server", "redis_version:7.2.4", "# Memory", "used_memory:1000"];
        if (server.policyInInfo !== null) lines.push(`maxmemory_policy:${server.policyInInfo ?? "noeviction"}`);
        lines.push("# Persistence", `aof_enabled:${server.aof ? 1 : 0}`, "# Cluster", `cluster_enabled:${server.cluster ? 1 : 0}`);
        return `${lines.join("\r\n")}\r\n`;
      }
      if (command === "CONFIG" && args[0] === "GET") {
        if (server.config instanceof Error) throw server.config;
        const value = (server.config ?? {})[args[1]];
        return value === undefined ? [] : [args[1], value];
      }
      throw new Error(`unexpected command ${command}`);
    },
  };
}

describe("checkRedis", () => {
  it("refuses cluster mode for either use, naming the setting to change", async () => {
    for (const use of ["queue", "cache"] as const) {
      await assert.rejects(
        checkRedis(fakeRedis({ cluster: true }), { use }, recordingLog()),
        (err: Error) =>
          /cluster mode/.test(err.message) && err.message.includes(use === "queue" ? "QUEUE_REDIS_URL" : "CACHE_REDIS_URL"),
      );
    }
  });

  it("refuses an evicting policy for the queue, naming QUEUE_REDIS_URL and the fix", async () => {
    await assert.rejects(
      checkRedis(fakeRedis({ policyInInfo: "allkeys-lru", config: { save: "3600 1" } }), { use: "queue" }, recordingLog()),
      (err: Error) =>
        err.message.includes("maxmemory-policy allkeys-lru") &&
        err.message.includes("QUEUE_REDIS_URL") &&
        err.message.includes("maxmemory-policy noeviction"),
    );
  });

  it("only warns about an evicting policy for the cache", async () => {
    const log = recordingLog();
    const report = await checkRedis(fakeRedis({ policyInInfo: "volatile-lru", config: {} }), { use: "cache" }, log);
    assert.equal(report.maxmemoryPolicy, "volatile-lru");
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0].msg ?? "", /maxmemory-policy volatile-lru/);
  });

  it("warns when the queue's Redis persists nothing, and not when AOF or RDB is on", async () => {
    const none = recordingLog();
    const report = await checkRedis(fakeRedis({ config: { save: "" } }), { use: "queue" }, none);
    assert.deepEqual(report, { maxmemoryPolicy: "noeviction", aof: false, rdb: false });
    assert.equal(none.warnings.length, 1);
    assert.match(none.warnings[0].msg ?? "", /appendonly yes/);

    const aof = recordingLog();
    await checkRedis(fakeRedis({ aof: true, config: { save: "" } }), { use: "queue" }, aof);
    assert.deepEqual(aof.warnings, []);

    const rdb = recordingLog();
    await checkRedis(fakeRedis({ config: { save: "3600 1 300 100" } }), { use: "queue" }, rdb);
    assert.deepEqual(rdb.warnings, []);

    const cache = recordingLog();
    await checkRedis(fakeRedis({ config: { save: "" } }), { use: "cache" }, cache);
    assert.deepEqual(cache.warnings, [], "a cache need not persist");
  });

  it("treats a disabled CONFIG command as unknown: a warning, not a failure", async () => {
    const log = recordingLog();
    const disabled = new Error("ERR unknown command 'CONFIG'");
    const report = await checkRedis(fakeRedis({ policyInInfo: null, config: disabled }), { use: "queue" }, log);
    assert.deepEqual(report, { maxmemoryPolicy: null, aof: false, rdb: null });
    assert.equal(log.warnings.length, 2);
    assert.match(log.warnings[0].msg ?? "", /Could not read maxmemory-policy/);
    assert.match(log.warnings[1].msg ?? "", /Could not verify/);
  });

  it("falls back to CONFIG GET when INFO does not report the policy", async () => {
    await assert.rejects(
      checkRedis(fakeRedis({ policyInInfo: null, config: { "maxmemory-policy": "allkeys-random" } }), { use: "queue" }, recordingLog()),
      /maxmemory-policy allkeys-random/,
    );
  });

  it("parses INFO text", () => {
    const info = parseInfo("# Memory\r\nmaxmemory_policy:noeviction\r\nodd line\r\n\r\ncluster_enabled:0\r\n");
    assert.equal(info.get("maxmemory_policy"), "noeviction");
    assert.equal(info.get("cluster_enabled"), "0");
    assert.equal(info.size, 2);
  });
});

describe("checkRedis against the test Redis", { skip: SKIP_REDIS }, () => {
  it("judges the real server by its own settings", async () => {
    const redis = createRedis(TEST_REDIS_URL!);
    try {
      const info = parseInfo(await redis.info());
      const policy = info.get("maxmemory_policy");
      assert.ok(policy, "INFO reports maxmemory_policy");

      const cacheLog = recordingLog();
      const report = await checkRedis(redis, { use: "cache" }, cacheLog);
      assert.equal(report.maxmemoryPolicy, policy);
      if (policy === "noeviction") assert.deepEqual(cacheLog.warnings, []);
      else assert.match(cacheLog.warnings[0].msg ?? "", new RegExp(`maxmemory-policy ${policy}`));

      const queueLog = recordingLog();
      if (policy !== "noeviction") {
        await assert.rejects(checkRedis(redis, { use: "queue" }, queueLog), /maxmemory-policy/);
      } else {
        const queueReport = await checkRedis(redis, { use: "queue" }, queueLog);
        const persists = queueReport.aof === true || queueReport.rdb === true;
        assert.equal(queueLog.warnings.length, persists ? 0 : 1);
      }
    } finally {
      await closeRedis(redis);
    }
  });
});

describe("createRedis", { skip: SKIP_REDIS }, () => {
  it("connects only on the first command when lazy, and closes cleanly", async () => {
    const redis = createRedis(TEST_REDIS_URL!, { lazyConnect: true });
    try {
      assert.equal(redis.status, "wait");
      assert.equal(await redis.ping(), "PONG");
      assert.equal(redis.status, "ready");
      assert.equal(await redis.client("GETNAME"), "herd");
    } finally {
      await closeRedis(redis);
    }
    assert.equal(redis.status, "end");
    await closeRedis(redis);
  });

  it("closes a lazy connection that never connected", async () => {
    const redis = createRedis(TEST_REDIS_URL!, { lazyConnect: true, forSubscriber: true });
    await closeRedis(redis);
    assert.equal(redis.status, "end");
  });

  it("fails a command after its retries when the server is unreachable", async () => {
    const errors: unknown[] = [];
    const redis = createRedis("redis://127.0.0.1:1", { maxRetriesPerRequest: 1, log: { error: (obj) => void errors.push(obj) } });
    try {
      await assert.rejects(redis.ping());
      assert.ok(errors.length > 0, "connection errors reach the log");
    } finally {
      redis.disconnect();
    }
  });
});
