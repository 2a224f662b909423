import type { KyselyDatabase } from "../adapters/db/kysely-database.ts";
import { migrateToLatest } from "../adapters/db/migrations/index.ts";
import type { Config } from "../config/config.ts";
import type { InstanceSettings } from "../domain/instance.ts";
import type { HealthProbe } from "../http/app.ts";
import { GuardedHttpClient } from "../adapters/http/guarded-http-client.ts";
import { HERD_VERSION } from "../http/mastodon/serializers/instance.ts";
import type { HttpClient } from "../ports/http-client.ts";
import type { RemoteResolver } from "../ports/remote-resolver.ts";
import { lazyRemoteResolver } from "./remote-resolver.ts";
import { plainHttpPeers } from "../federation/plain-http-peers.ts";
import { countUnavailableDomains } from "../services/federation/delivery-state.ts";
import type { JobDeps } from "../jobs/deps.ts";
import type { Cache } from "../ports/cache.ts";
import { systemClock, type Clock } from "../ports/clock.ts";
import type { Feeds } from "../ports/feeds.ts";
import type { ImageProcessor } from "../ports/images.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { LeaseStore } from "../ports/lease.ts";
import type { Logger } from "../ports/logger.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { MediaStore } from "../ports/media-store.ts";
import type { PubSub } from "../ports/pubsub.ts";
import type { SearchIndex } from "../ports/search.ts";
import type { VideoProcessor } from "../ports/video.ts";
import { HerdMetrics } from "./metrics.ts";
import { StartupError } from "./startup-error.ts";

/** Every adapter a role needs, built from Config. The only place that chooses adapters. */
export interface Container {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly db: KyselyDatabase;
  readonly cache: Cache;
  readonly feeds: Feeds;
  /** Full-text search over statuses, on the database engine in use. */
  readonly search: SearchIndex;
  readonly pubsub: PubSub;
  readonly leases: LeaseStore;
  readonly media: MediaStore;
  readonly mailer: Mailer;
  readonly queue: JobQueue;
  readonly metrics: HerdMetrics;
  readonly health: readonly HealthProbe[];
  /** The one outgoing HTTP client (SSRF guard, timeouts, size limits). */
  readonly http: HttpClient;
  /** Finds remote accounts and posts (search with resolve); Fedify loads on its first use. */
  readonly resolver: RemoteResolver;
  readonly jobDeps: JobDeps;
  /** Closes everything it opened, in reverse order. */
  close(): Promise<void>;
}

export interface ContainerOptions {
  readonly role: string;
  /** Apply pending migrations before anything else (herd start, herd migrate). */
  readonly migrate?: boolean;
  /** Check media storage and Redis at start-up and refuse to start on a broken setting (default true). */
  readonly checks?: boolean;
  /** Relay the job outbox into Redis from this process (web and worker do; default true). */
  readonly relayJobs?: boolean;
  readonly clock?: Clock;
}

/**
 * Builds the adapters. Libraries for backends that are not configured (pg, ioredis, BullMQ, the AWS SDK,
 * nodemailer's SMTP) are imported only when configured, which keeps `herd start` small in memory.
 */
export async function buildContainer(config: Config, log: Logger, options: ContainerOptions): Promise<Container> {
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<void>)[] = [];
  const checks = options.checks ?? true;
  const health: HealthProbe[] = [];
  try {
    const db = await openDatabase(config, clock, log);
    closers.push(() => db.close());
    health.push({ name: "database", check: () => db.ping() });
    if (options.migrate) {
      const report = await migrateToLatest(db.kysely, db.engine);
      if (report.applied.length > 0) log.info({ applied: report.applied }, "migrations applied");
    }

    let cache: Cache, feeds: Feeds, pubsub: PubSub, leases: LeaseStore;
    if (config.redis.cacheUrl) {
      const { createRedis, checkRedis } = await import("../adapters/redis/redis-connection.ts");
      const { RedisCache } = await import("../adapters/redis/redis-cache.ts");
      const { RedisFeeds } = await import("../adapters/redis/redis-feeds.ts");
      const { RedisPubSub } = await import("../adapters/redis/redis-pubsub.ts");
      const { RedisLeaseStore } = await import("../adapters/redis/redis-lease.ts");
      const redis = createRedis(config.redis.cacheUrl, { autoPipelining: true });
      closers.push(async () => void (await redis.quit().catch(() => redis.disconnect())));
      if (checks) await checkRedis(redis, { use: "cache" }, log).catch(asStartupError("CACHE_REDIS_URL"));
      // One sub-prefix per adapter, so a cache key can never land on a feed or lease of the same name.
      const ns = config.redis.namespace ? `${config.redis.namespace}:` : "";
      cache = new RedisCache(redis, `${ns}cache:`);
      feeds = new RedisFeeds(redis, `${ns}feed:`);
      pubsub = new RedisPubSub(redis, `${ns}ps:`, log);
      leases = new RedisLeaseStore(redis, `${ns}lease:`);
      closers.push(() => pubsub.close());
      health.push({ name: "redis", check: async () => void (await redis.ping()) });
    } else {
      const { MemoryCache } = await import("../adapters/memory/memory-cache.ts");
      const { MemoryFeeds } = await import("../adapters/memory/memory-feeds.ts");
      const { MemoryPubSub } = await import("../adapters/memory/memory-pubsub.ts");
      const { DatabaseLeaseStore } = await import("../adapters/db/database-lease.ts");
      cache = new MemoryCache();
      feeds = new MemoryFeeds();
      pubsub = new MemoryPubSub(log);
      // Leases in the database survive a restart, so a restarted `herd start` does not fire a period twice.
      leases = new DatabaseLeaseStore(db);
      closers.push(() => cache.close(), () => feeds.close(), () => pubsub.close());
    }

    let queue: JobQueue;
    if (config.redis.queueUrl) {
      const { createRedis, checkRedis } = await import("../adapters/redis/redis-connection.ts");
      const { BullMQJobQueue } = await import("../adapters/redis/bullmq-job-queue.ts");
      if (checks) {
        const probe = createRedis(config.redis.queueUrl);
        try {
          await checkRedis(probe, { use: "queue" }, log).catch(asStartupError("QUEUE_REDIS_URL"));
        } finally {
          probe.disconnect();
        }
      }
      queue = new BullMQJobQueue(db, {
        redisUrl: config.redis.queueUrl,
        prefix: config.redis.namespace ? `${config.redis.namespace}:bull` : "bull",
        lockMs: config.jobLockSeconds * 1000,
        log,
        relay: options.relayJobs ?? true,
      });
    } else {
      const { DatabaseJobQueue } = await import("../adapters/db/database-job-queue.ts");
      queue = new DatabaseJobQueue(db, { lockMs: config.jobLockSeconds * 1000, log });
    }
    closers.push(() => queue.close());

    const media = await openMediaStore(config);
    closers.push(() => media.close());
    if (checks) await media.check().catch(asStartupError(config.media.kind === "s3" ? "S3_BUCKET" : "DATA_DIR"));

    const mailer = await openMailer(config, log);
    closers.push(() => mailer.close());

    const metrics = new HerdMetrics({
      role: options.role,
      poolStats: () => db.poolStats(),
      queueCounts: (q) => queue.counts(q),
      unavailableDomains: () => countUnavailableDomains(db),
    });

    const search = await openSearchIndex(db);
    const http = new GuardedHttpClient({
      allowedPrivateAddresses: config.allowedPrivateAddresses,
      userAgent: `Herd/${HERD_VERSION} (+${config.baseUrl}/)`,
    });
    closers.push(async () => http.close());
    const { images, video } = await openMediaProcessors(config);
    const jobDeps: JobDeps = {
      instance: instanceSettings(config), db, cache, feeds, search, pubsub, leases, media, images, video, mailer, clock, log, http,
      deliveries: metrics.deliveryObserver(),
      plainHttpPeers: plainHttpPeers(config),
    };
    let closed = false;
    return {
      config, log, clock, db, cache, feeds, search, pubsub, leases, media, mailer, queue, metrics, health, jobDeps, http,
      resolver: lazyRemoteResolver({ config, db, cache, clock, http, log, jobDeps }),
      async close() {
        if (closed) return;
        closed = true;
        await closeAll(closers, log);
      },
    };
  } catch (error) {
    await closeAll(closers, log);
    throw error;
  }
}

/** The instance settings services and routes see, from Config. */
export function instanceSettings(config: Config): InstanceSettings {
  return {
    localDomain: config.localDomain,
    webDomain: config.webDomain,
    baseUrl: config.baseUrl,
    registrationsMode: config.registrationsMode,
    singleUserMode: config.singleUserMode,
    limitedFederationMode: config.limitedFederationMode,
    trustedProxies: config.trustedProxies,
    streamingUrl: config.streamingApiBaseUrl,
    sourceUrl: config.sourceUrl,
    mailFrom: config.mail.from,
    actorKeysAtCreation: config.actorKeysAtCreation,
    maxStatusChars: config.maxStatusChars,
    mediaLimits: config.mediaLimits,
    mediaCacheRetentionDays: config.mediaCacheRetentionDays,
  };
}

async function openDatabase(config: Config, clock: Clock, log: Logger): Promise<KyselyDatabase> {
  if (config.database.kind === "postgres") {
    const { PostgresDatabase } = await import("../adapters/db/postgres-database.ts");
    const db = new PostgresDatabase(config.database.url, config.database.pool, clock, log, { preparedStatements: config.database.preparedStatements });
    await db.ping().catch(async (cause) => {
      await db.close();
      throw new StartupError(
        `DATABASE_URL: cannot reach PostgreSQL (${cause instanceof Error ? cause.message : String(cause)}). Check the host, port, user, password and database name in DATABASE_URL, and that the server is running.`,
      );
    });
    return db;
  }
  const { SqliteDatabase } = await import("../adapters/db/sqlite-database.ts");
  try {
    return new SqliteDatabase(config.database.path, clock, log);
  } catch (cause) {
    throw new StartupError(
      `DATA_DIR: cannot open ${config.database.path} (${cause instanceof Error ? cause.message : String(cause)}). Make DATA_DIR a writable directory.`,
    );
  }
}

/** The search index lives in the database: FTS5 on SQLite, tsvector on PostgreSQL. */
async function openSearchIndex(db: KyselyDatabase): Promise<SearchIndex> {
  if (db.engine === "postgres") {
    const { PostgresSearchIndex } = await import("../adapters/db/search/postgres-search-index.ts");
    return new PostgresSearchIndex(db.kysely);
  }
  const { SqliteSearchIndex } = await import("../adapters/db/search/sqlite-search-index.ts");
  return new SqliteSearchIndex(db.kysely);
}

async function openMediaStore(config: Config): Promise<MediaStore> {
  const media = await openMediaStoreOf(config.media, config.baseUrl);
  if (!config.mediaMigrationFrom) return media;
  // MEDIA_MIGRATION_FROM: write to the new store, read from it and fall back to the old one (docs/running.md).
  const { MigratingMediaStore } = await import("../adapters/migrating-media-store.ts");
  return new MigratingMediaStore(media, await openMediaStoreOf(config.mediaMigrationFrom, config.baseUrl), config.baseUrl);
}

/** One store as configured; `herd admin media migrate` opens both this way. */
export async function openMediaStoreOf(media: Config["media"], baseUrl: string): Promise<MediaStore> {
  if (media.kind === "s3") {
    const { S3MediaStore } = await import("../adapters/s3/s3-media-store.ts");
    return new S3MediaStore(media);
  }
  const { LocalMediaStore } = await import("../adapters/local/local-media-store.ts");
  return new LocalMediaStore(media.root, baseUrl);
}

/** sharp loads libvips on first use and ffmpeg is spawned per file: neither costs memory until an upload comes. */
async function openMediaProcessors(config: Config): Promise<{ images: ImageProcessor; video: VideoProcessor }> {
  const { SharpImageProcessor } = await import("../adapters/images/sharp-image-processor.ts");
  const { FfmpegVideoProcessor } = await import("../adapters/ffmpeg/ffmpeg-video-processor.ts");
  return { images: new SharpImageProcessor(), video: new FfmpegVideoProcessor(config.ffmpeg) };
}

async function openMailer(config: Config, log: Logger): Promise<Mailer> {
  if (config.mail.kind === "smtp") {
    const { SmtpMailer } = await import("../adapters/mail/smtp-mailer.ts");
    return new SmtpMailer(config.mail);
  }
  const { FileMailer } = await import("../adapters/mail/file-mailer.ts");
  return new FileMailer(config.mail.dir, config.mail.from, log);
}

function asStartupError(variable: string) {
  return (cause: unknown): never => {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new StartupError(message.includes(variable) || /[A-Z_]{6,}/.test(message) ? message : `${variable}: ${message}`);
  };
}

async function closeAll(closers: (() => Promise<void>)[], log: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (err) {
      log.warn({ err }, "closing a backend failed");
    }
  }
}
