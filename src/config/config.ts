import type { MediaLimits } from "../domain/media.ts";
import type { PeriodicJob } from "../scheduler/periodic.ts";

/** The validated, frozen configuration every role is built from. Only src/config reads the environment. */
export interface Config {
  readonly localDomain: string;
  readonly webDomain: string;
  readonly https: boolean;
  /** `https://social.example.com` (or http:// for development instances). */
  readonly baseUrl: string;
  readonly bind: string;
  readonly port: number;
  readonly streamingPort: number;
  /** Where clients open the streaming API (STREAMING_API_BASE_URL), else ws(s)://WEB_DOMAIN. */
  readonly streamingApiBaseUrl: string;
  /** Where this server's source code is published (SOURCE_BASE_URL), for the AGPL's offer; null when unset. */
  readonly sourceUrl: string | null;
  readonly metricsPort: number;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly redis: RedisConfig;
  readonly logLevel: string;
  readonly trustedProxies: readonly string[];
  readonly allowedPrivateAddresses: readonly string[];
  /** AUTHORIZED_FETCH (Mastodon's secure mode): actors and objects are served only to signed requests. */
  readonly authorizedFetch: boolean;
  /** LIMITED_FEDERATION_MODE: federate only with the domains in domain_allows. */
  readonly limitedFederationMode: boolean;
  /** ACTOR_KEYS_AT_CREATION: generate a new account's keys in a job right away (false: when first served). */
  readonly actorKeysAtCreation: boolean;
  /** Who may sign up: open, approved (a moderator approves each account) or none. */
  readonly registrationsMode: "open" | "approved" | "none";
  readonly singleUserMode: boolean;
  /** Addresses besides loopback that may read /metrics on the web port. */
  readonly metricsAllowed: readonly string[];
  /** The periodic jobs with their schedules, after HERD_SCHEDULE overrides. */
  readonly schedule: readonly PeriodicJob[];
  readonly jobLockSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  /** MAX_TOOT_CHARS: the longest status text plus content warning, in characters (Mastodon's 500 by default). */
  readonly maxStatusChars: number;
  /** Upload limits (MAX_IMAGE_SIZE, MAX_VIDEO_SIZE over Mastodon's defaults). */
  readonly mediaLimits: MediaLimits;
  /** ffmpeg and ffprobe executables (ffprobe beside FFMPEG_BINARY) and the longest one run may take. */
  readonly ffmpeg: { readonly ffmpeg: string; readonly ffprobe: string; readonly timeoutMs: number };
  /** MEDIA_CACHE_RETENTION_PERIOD: days cached remote media is kept unused; null keeps it (as Mastodon unset). */
  readonly mediaCacheRetentionDays: number | null;
  readonly media: MediaConfig;
  /** Both stores as the environment describes them, for `herd admin media migrate`; s3 is null without S3_BUCKET. */
  readonly mediaStores: { readonly local: Extract<MediaConfig, { kind: "local" }>; readonly s3: Extract<MediaConfig, { kind: "s3" }> | null };
  /** MEDIA_MIGRATION_FROM: while media moves to `media`, the old store reads fall back to; null when not moving. */
  readonly mediaMigrationFrom: MediaConfig | null;
  readonly mail: MailConfig;
}

export type DatabaseConfig =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string; readonly pool: number; readonly preparedStatements: boolean };

export interface RedisConfig {
  /** Redis for the job queue (QUEUE_REDIS_URL, else REDIS_URL); unset means the database table queue. */
  readonly queueUrl: string | null;
  /** Redis for cache, feeds, rate limits and pub/sub (CACHE_REDIS_URL, else REDIS_URL); unset means in memory. */
  readonly cacheUrl: string | null;
  /** Prefix for every key, so several instances can share one Redis. */
  readonly namespace: string;
}

export type MediaConfig =
  | { readonly kind: "local"; readonly root: string }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly region: string;
      readonly endpoint: string | null;
      readonly forcePathStyle: boolean;
      readonly aliasHost: string | null;
      readonly protocol: "http" | "https";
      readonly hostname: string | null;
      readonly permission: string;
      readonly forceSingleRequest: boolean;
      readonly accessKeyId: string | null;
      readonly secretAccessKey: string | null;
    };

export type MailConfig =
  | { readonly kind: "file"; readonly dir: string; readonly from: string }
  | {
      readonly kind: "smtp";
      readonly host: string;
      readonly port: number;
      readonly login: string | null;
      readonly password: string | null;
      readonly from: string;
      readonly authMethod: "plain" | "login" | "cram_md5" | "none";
      readonly starttls: "auto" | "always" | "never";
      /** Implicit TLS from the first byte (SMTP_TLS or SMTP_SSL, usually port 465). */
      readonly implicitTls: boolean;
      readonly verifyCertificates: boolean;
    };

/** A configuration problem: which variable, what is wrong, and what to do. The CLI exits 78 (EX_CONFIG) on it. */
export class ConfigError extends Error {
  readonly variable: string;
  readonly fix: string;
  constructor(variable: string, problem: string, fix: string) {
    super(`${variable}: ${problem}. ${fix}`);
    this.name = "ConfigError";
    this.variable = variable;
    this.fix = fix;
  }
}
