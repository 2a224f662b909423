import { Redis } from "ioredis";
import type { Logger } from "../../ports/logger.ts";

/** Options for {@link createRedis}. */
export interface CreateRedisOptions {
  /** Connect on the first command instead of at once (CLI commands that may not need Redis). */
  lazyConnect?: boolean;
  /** A connection that will only SUBSCRIBE: its commands wait through reconnects instead of failing. */
  forSubscriber?: boolean;
  /**
   * How often a command is retried across reconnects before it fails. BullMQ workers need `null` (wait
   * forever); cache reads want a small number so a Redis outage degrades to the database instead of hanging.
   */
  maxRetriesPerRequest?: number | null;
  /**
   * Send the commands issued while a batch is on its way as one batch, in one write (ioredis's auto-pipelining):
   * the cache, feeds and publishes of many requests at once then cost a few socket writes, not one each, and a
   * write is what a busy process pays most for per command. An idle connection still sends at once.
   */
  autoPipelining?: boolean;
  /** Receives connection errors; without a listener ioredis prints them to stderr itself. */
  log?: Pick<Logger, "error">;
}

/**
 * Opens an ioredis connection with settings for a long-running server: bounded connect time, TCP keepalive
 * so a dead peer behind a NAT or load balancer is noticed, reconnection with backoff, and a reconnect on
 * READONLY (a failover turned our primary into a replica) so the command goes to the new primary.
 */
export function createRedis(url: string, options: CreateRedisOptions = {}): Redis {
  const forSubscriber = options.forSubscriber ?? false;
  const redis = new Redis(url, {
    lazyConnect: options.lazyConnect ?? false,
    connectTimeout: 10_000,
    keepAlive: 30_000,
    connectionName: forSubscriber ? "herd-subscriber" : "herd",
    maxRetriesPerRequest:
      options.maxRetriesPerRequest !== undefined ? options.maxRetriesPerRequest : forSubscriber ? null : 3,
    // Commands issued while (re)connecting wait in the queue; maxRetriesPerRequest bounds how long.
    enableOfflineQueue: true,
    enableAutoPipelining: options.autoPipelining ?? false,
    enableReadyCheck: true,
    autoResubscribe: true,
    reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
  });
  const log = options.log;
  if (log) redis.on("error", (err: unknown) => log.error({ err }, "Redis connection error"));
  return redis;
}

/**
 * Closes a connection gracefully (QUIT, so queued replies arrive), or at once when it never connected, and
 * resolves only once the socket is gone, so a finished process or test is not held open by it.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status === "wait") {
    redis.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => redis.once("end", () => resolve()));
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
  // QUIT's reply comes before the server closes the socket; a server that never closes it gets cut off.
  const guard = setTimeout(() => redis.disconnect(), 2_000);
  await ended;
  clearTimeout(guard);
}

/** The two commands {@link checkRedis} needs; an ioredis connection has them. */
export interface RedisCommandRunner {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** What {@link checkRedis} found; null means the server would not say (CONFIG disabled on managed Redis). */
export interface RedisCheckReport {
  readonly maxmemoryPolicy: string | null;
  readonly aof: boolean | null;
  readonly rdb: boolean | null;
}

/** What a Redis connection is for: the job queue must not lose keys; the cache may. */
export type RedisUse = "queue" | "cache";

/** The variable that chose the server; REDIS_URL stands in for it when it is unset. */
const SETTING: Record<RedisUse, string> = { queue: "QUEUE_REDIS_URL", cache: "CACHE_REDIS_URL" };

/** Parses INFO's `field:value` lines. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** CONFIG GET's reply as a value, or undefined when the command is disabled or refused. */
async function configGet(redis: RedisCommandRunner, parameter: string): Promise<string | undefined> {
  try {
    const reply = await redis.call("CONFIG", "GET", parameter);
    if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : undefined;
    if (reply && typeof reply === "object") {
      const value = (reply as Record<string, unknown>)[parameter];
      return value === undefined ? undefined : String(value);
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a Redis that would break Herd in ways that are otherwise silent: cluster mode (Herd runs multi-key
 * scripts and BullMQ needs a standalone connection) and, for the job queue, any eviction policy (an evicted
 * job is a lost post delivery). Warns about what is merely risky: an evicting cache shared with a queue, a
 * queue Redis without persistence, settings the server will not disclose.
 */
export async function checkRedis(
  redis: RedisCommandRunner,
  { use }: { use: RedisUse },
  log: Pick<Logger, "warn">,
): Promise<RedisCheckReport> {
  const setting = `${SETTING[use]} (or REDIS_URL)`;
  const info = parseInfo(String(await redis.call("INFO")));

  if (info.get("cluster_enabled") === "1")
    throw new Error(
      `The Redis at ${setting} runs in cluster mode (cluster_enabled:1). Herd keeps the keys of one ` +
        `operation together and its job queue needs a non-cluster connection: point ${setting} at a ` +
        `standalone Redis (a primary with replicas or Sentinel is fine), or turn cluster mode off.`,
    );

  const maxmemoryPolicy = info.get("maxmemory_policy") ?? (await configGet(redis, "maxmemory-policy")) ?? null;
  if (maxmemoryPolicy === null) {
    log.warn(
      { use, setting },
      `Could not read maxmemory-policy of the Redis at ${setting}: INFO lacks it and CONFIG GET is ` +
        `disabled. Make sure it is noeviction${use === "queue" ? ", or queued jobs can be evicted and lost" : ""}.`,
    );
  } else if (maxmemoryPolicy !== "noeviction") {
    if (use === "queue")
      throw new Error(
        `The job queue's Redis at ${setting} has maxmemory-policy ${maxmemoryPolicy}: under memory ` +
          `pressure it would evict queued jobs and they would be lost. Set "maxmemory-policy noeviction" ` +
          `(in redis.conf, with "redis-cli CONFIG SET maxmemory-policy noeviction", or in the managed ` +
          `service's parameter group), or point QUEUE_REDIS_URL at a separate Redis with that policy.`,
      );
    log.warn(
      { use, setting, maxmemoryPolicy },
      `The Redis at ${setting} has maxmemory-policy ${maxmemoryPolicy}: cached data, feeds and ` +
        `rate-limit counters may be evicted (they are rebuilt). Do not share it with the job queue, which ` +
        `needs noeviction: set QUEUE_REDIS_URL to a separate Redis if REDIS_URL serves both.`,
    );
  }

  const aof = info.has("aof_enabled") ? info.get("aof_enabled") === "1" : null;
  const save = await configGet(redis, "save");
  const rdb = save === undefined ? null : save.trim() !== "";
  if (use === "queue" && aof !== true && rdb !== true) {
    if (aof === false && rdb === false)
      log.warn(
        { use, setting },
        `The job queue's Redis at ${setting} persists nothing (appendonly no, no RDB save points): ` +
          `queued jobs are lost when it restarts. Set "appendonly yes" (or configure "save") on it.`,
      );
    else
      log.warn(
        { use, setting, aof, rdb },
        `Could not verify that the job queue's Redis at ${setting} persists its data (CONFIG GET is ` +
          `disabled): make sure AOF ("appendonly yes") or RDB snapshots are on, or queued jobs are lost on restart.`,
      );
  }

  return { maxmemoryPolicy, aof, rdb };
}
