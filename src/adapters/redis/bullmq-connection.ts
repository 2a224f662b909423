import type { RedisOptions } from "bullmq";

/**
 * BullMQ connection options parsed from a redis:// or rediss:// URL. Options, not a shared ioredis instance:
 * every Queue and Worker then owns its connections and closes them itself, so nothing keeps the process alive
 * after close. Workers must wait through reconnects (`maxRetriesPerRequest: null`), as BullMQ requires.
 */
export function bullmqConnection(url: string, role: "queue" | "worker"): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error(`not a Redis URL: ${u.protocol}//…`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`the Redis URL's database must be a number, not ${u.pathname.slice(1)}`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === "rediss:" ? { tls: { servername: u.hostname } } : {}),
    connectionName: role === "worker" ? "herd-worker" : "herd-queue",
    connectTimeout: 10_000,
    keepAlive: 30_000,
    // A failover turns our primary into a replica: reconnect so the command reaches the new primary.
    reconnectOnError: (err: Error) => (err.message.startsWith("READONLY") ? 2 : false),
    maxRetriesPerRequest: role === "worker" ? null : 3,
  };
}
