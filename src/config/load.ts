import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { DEFAULT_MEDIA_LIMITS } from "../domain/media.ts";
import { ConfigError, type Config, type MailConfig, type MediaConfig } from "./config.ts";
import { envSchema } from "./schema.ts";
import { applyScheduleOverrides, DEFAULT_SCHEDULE } from "../scheduler/schedule.ts";

type Env = Record<string, string | undefined>;

/**
 * Reads `.env.production` and `.env` from `cwd` (when present) under the real environment: a variable set in the
 * environment wins over the files, as with Mastodon's dotenv.
 */
export function readEnvironment(processEnv: Env = process.env, cwd = process.cwd()): Env {
  const merged: Env = {};
  for (const file of [".env", ".env.production"]) {
    const path = resolve(cwd, file);
    if (existsSync(path)) Object.assign(merged, parseEnv(readFileSync(path, "utf8")));
  }
  return { ...merged, ...processEnv };
}

/** True for names whose traffic never leaves the machine: these default to http. */
export function isLoopbackHost(hostWithPort: string): boolean {
  const host = hostWithPort.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** Domains RFC 2606 and RFC 6761 reserve for testing and examples, which never reach the fediverse. */
function isReservedTestDomain(hostWithPort: string): boolean {
  return /\.(test|invalid|example|localhost)$/i.test(hostWithPort.replace(/:\d+$/, ""));
}

/** Validates the environment into a frozen Config; throws ConfigError naming the variable and the fix. */
export function loadConfig(env: Env, cwd = process.cwd()): Config {
  // Empty strings mean "unset", as docker-compose and systemd EnvironmentFile produce them for blank lines.
  const present: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") present[k] = v;
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? "environment");
    const value = present[variable];
    throw new ConfigError(
      variable,
      `the value ${JSON.stringify(value)} is not valid`,
      `${issue.message}. Set it in the environment or in .env, or unset it to use the default.`,
    );
  }
  const e = parsed.data;
  const webDomain = e.WEB_DOMAIN ?? e.LOCAL_DOMAIN;
  const https = e.LOCAL_HTTPS ?? !isLoopbackHost(webDomain);
  // Plain http on a real domain would federate unsigned-transport traffic and mint http:// ids peers keep forever.
  if (!https && !isLoopbackHost(webDomain) && !isReservedTestDomain(webDomain) && !e.HERD_DEVELOPMENT)
    throw new ConfigError(
      "LOCAL_HTTPS",
      `LOCAL_HTTPS=false on ${webDomain}, which is not a loopback or test domain`,
      "Serve Herd over https (behind a TLS proxy) and unset LOCAL_HTTPS, or set HERD_DEVELOPMENT=true for a development instance.",
    );
  const dataDir = resolve(cwd, e.DATA_DIR);

  const localMedia = { kind: "local" as const, root: resolve(dataDir, "media") };
  // The bucket is described even with S3_ENABLED=false, so media can be moved into it (or out of it) before the switch.
  const s3Media = e.S3_ENABLED || e.S3_BUCKET ? s3Config(e) : null;
  const media: MediaConfig = e.S3_ENABLED && s3Media ? s3Media : localMedia;
  const mediaMigrationFrom = migrationSource(e.MEDIA_MIGRATION_FROM, media, localMedia, s3Media);
  const mail: MailConfig = e.SMTP_SERVER
    ? {
        kind: "smtp",
        host: e.SMTP_SERVER,
        port: e.SMTP_PORT ?? (e.SMTP_TLS || e.SMTP_SSL ? 465 : 587),
        login: e.SMTP_LOGIN ?? null,
        password: e.SMTP_PASSWORD ?? null,
        from: e.SMTP_FROM_ADDRESS ?? `notifications@${e.LOCAL_DOMAIN.replace(/:\d+$/, "")}`,
        authMethod: e.SMTP_AUTH_METHOD as "plain" | "login" | "cram_md5" | "none",
        starttls: e.SMTP_ENABLE_STARTTLS,
        implicitTls: e.SMTP_TLS || e.SMTP_SSL,
        verifyCertificates: e.SMTP_OPENSSL_VERIFY_MODE === "peer",
      }
    : {
        kind: "file",
        dir: resolve(dataDir, "mail"),
        from: e.SMTP_FROM_ADDRESS ?? `notifications@${e.LOCAL_DOMAIN.replace(/:\d+$/, "")}`,
      };
  if (mail.kind === "smtp" && mail.login && !mail.password)
    throw new ConfigError("SMTP_PASSWORD", "SMTP_LOGIN is set but SMTP_PASSWORD is not", "Set SMTP_PASSWORD, or unset SMTP_LOGIN for a server without authentication.");

  const schedule = applyScheduleOverrides(DEFAULT_SCHEDULE, e.HERD_SCHEDULE);
  if (!schedule.ok)
    throw new ConfigError("HERD_SCHEDULE", schedule.error, 'Write it as "job=interval" pairs separated by commas, like "cleanup-leases=30m".');

  const config: Config = {
    localDomain: e.LOCAL_DOMAIN,
    webDomain,
    https,
    baseUrl: `${https ? "https" : "http"}://${webDomain}`,
    bind: e.BIND,
    port: e.PORT,
    streamingPort: e.STREAMING_PORT,
    streamingApiBaseUrl: (e.STREAMING_API_BASE_URL ?? `${https ? "wss" : "ws"}://${webDomain}`).replace(/\/+$/, ""),
    sourceUrl: e.SOURCE_BASE_URL ?? null,
    metricsPort: e.METRICS_PORT,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL, pool: e.DB_POOL, preparedStatements: e.PREPARED_STATEMENTS }
      : { kind: "sqlite", path: resolve(dataDir, "herd.sqlite3") },
    redis: {
      queueUrl: e.QUEUE_REDIS_URL ?? e.REDIS_URL ?? null,
      cacheUrl: e.CACHE_REDIS_URL ?? e.REDIS_URL ?? null,
      namespace: e.REDIS_NAMESPACE,
    },
    logLevel: e.LOG_LEVEL,
    trustedProxies: e.TRUSTED_PROXY_IP,
    allowedPrivateAddresses: e.ALLOWED_PRIVATE_ADDRESSES,
    authorizedFetch: e.AUTHORIZED_FETCH,
    limitedFederationMode: e.LIMITED_FEDERATION_MODE,
    actorKeysAtCreation: e.ACTOR_KEYS_AT_CREATION,
    // Mastodon closes registrations in single-user mode whatever the mode says.
    registrationsMode: e.SINGLE_USER_MODE ? "none" : e.REGISTRATIONS_MODE,
    singleUserMode: e.SINGLE_USER_MODE,
    metricsAllowed: e.METRICS_ALLOWED_IPS,
    schedule: schedule.jobs,
    jobLockSeconds: e.JOB_LOCK_SECONDS,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    maxStatusChars: e.MAX_TOOT_CHARS,
    mediaLimits: { ...DEFAULT_MEDIA_LIMITS, imageSizeLimit: e.MAX_IMAGE_SIZE, videoSizeLimit: e.MAX_VIDEO_SIZE },
    ffmpeg: {
      ffmpeg: e.FFMPEG_BINARY,
      ffprobe: e.FFMPEG_BINARY.includes("/") ? e.FFMPEG_BINARY.replace(/ffmpeg([^/]*)$/, "ffprobe$1") : "ffprobe",
      timeoutMs: e.FFMPEG_TIMEOUT_SECONDS * 1000,
    },
    mediaCacheRetentionDays: e.MEDIA_CACHE_RETENTION_PERIOD ?? null,
    media,
    mediaStores: { local: localMedia, s3: s3Media },
    mediaMigrationFrom,
    mail,
  };
  return deepFreeze(config);
}

/** The store MEDIA_MIGRATION_FROM names, refused when it is the store in use or is not described. */
function migrationSource(
  from: "local" | "s3" | undefined,
  media: MediaConfig,
  local: Extract<MediaConfig, { kind: "local" }>,
  s3: Extract<MediaConfig, { kind: "s3" }> | null,
): MediaConfig | null {
  if (!from) return null;
  if (from === media.kind)
    throw new ConfigError(
      "MEDIA_MIGRATION_FROM",
      `it names ${from}, the store media is already kept in`,
      from === "local"
        ? "To move media to S3, set S3_ENABLED=true with the bucket's S3_* settings; unset MEDIA_MIGRATION_FROM once `herd admin media migrate` has finished."
        : "To move media to local disk, set S3_ENABLED=false and keep the bucket's S3_* settings; unset MEDIA_MIGRATION_FROM once `herd admin media migrate` has finished.",
    );
  if (from === "local") return local;
  if (!s3)
    throw new ConfigError("MEDIA_MIGRATION_FROM", "it names s3 but no bucket is described", "Keep S3_BUCKET (and S3_ENDPOINT, S3_REGION, the AWS_* keys…) set to the old bucket while media moves out of it.");
  return s3;
}

function s3Config(e: ReturnType<typeof envSchema.parse>): Extract<MediaConfig, { kind: "s3" }> {
  if (!e.S3_BUCKET)
    throw new ConfigError("S3_BUCKET", "S3_ENABLED is true but no bucket is named", "Set S3_BUCKET to the bucket that holds media, or set S3_ENABLED=false to keep media on local disk.");
  const endpoint = e.S3_ENDPOINT ?? (e.S3_HOSTNAME ? `${e.S3_PROTOCOL}://${e.S3_HOSTNAME}` : null);
  // Mastodon's rule: a custom endpoint (MinIO, Ceph, Garage…) is addressed path-style unless told otherwise.
  const forcePathStyle = e.S3_FORCE_PATH_STYLE ?? endpoint !== null;
  if (!forcePathStyle && e.S3_BUCKET.includes("."))
    throw new ConfigError(
      "S3_BUCKET",
      `the bucket name ${JSON.stringify(e.S3_BUCKET)} has dots, which breaks TLS certificates in virtual-host addressing`,
      "Set S3_FORCE_PATH_STYLE=true, or use a bucket name without dots.",
    );
  if (Boolean(e.AWS_ACCESS_KEY_ID) !== Boolean(e.AWS_SECRET_ACCESS_KEY))
    throw new ConfigError(
      e.AWS_ACCESS_KEY_ID ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID",
      "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set",
      "Set both to the bucket's key pair, or neither to use the machine's credentials.",
    );
  return {
    kind: "s3",
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
    endpoint,
    forcePathStyle,
    aliasHost: e.S3_ALIAS_HOST ?? null,
    protocol: e.S3_PROTOCOL,
    hostname: e.S3_HOSTNAME ?? null,
    permission: e.S3_PERMISSION,
    forceSingleRequest: e.S3_FORCE_SINGLE_REQUEST,
    accessKeyId: e.AWS_ACCESS_KEY_ID ?? null,
    secretAccessKey: e.AWS_SECRET_ACCESS_KEY ?? null,
  };
}

function deepFreeze<T>(value: T): T {
  // Job definitions inside the schedule hold zod schemas, which must stay mutable.
  if (value && typeof value === "object" && !("run" in value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
