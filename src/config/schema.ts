import { isIP } from "node:net";
import { z } from "zod";

/**
 * The environment variables Herd reads, with Mastodon's names where Mastodon has one.
 * docs/configuration.md is the table of these; keep the two in step.
 */

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ["true", "false", "1", "0", "yes", "no", ""].includes(v), {
      message: `${name} must be true or false`,
    })
    .transform((v) => v === "true" || v === "1" || v === "yes");

const port = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a port number (1-65535)`)
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, `${name} must be a port number (0-65535)`);

const positiveInt = (name: string, max = 10_000) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${name} must be between 1 and ${max}`);

const url = (name: string, protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `${name} must be a URL starting with ${protocols.map((p) => p + "//").join(" or ")}`);

const domain = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$|^\[[0-9a-f:]+\](?::\d{1,5})?$/,
      `${name} must be a host name with an optional port, like social.example.com (no scheme, no path)`,
    );

const cidrList = (name: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .refine(
      (items) =>
        items.every((item) => {
          const [addr, bits, ...rest] = item.split("/");
          if (rest.length > 0 || isIP(addr) === 0) return false;
          if (bits === undefined) return true;
          const max = isIP(addr) === 4 ? 32 : 128;
          return /^\d+$/.test(bits) && Number(bits) <= max;
        }),
      `${name} must be a list of IP addresses or CIDR ranges separated by spaces or commas, like "10.0.0.0/8 127.0.0.1"`,
    );

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Raw environment → validated values. Optional means "unset"; defaults that depend on others are applied in load.ts. */
export const envSchema = z.object({
  LOCAL_DOMAIN: domain("LOCAL_DOMAIN").default("localhost:3000"),
  WEB_DOMAIN: domain("WEB_DOMAIN").optional(),
  LOCAL_HTTPS: bool("LOCAL_HTTPS").optional(),
  HERD_DEVELOPMENT: bool("HERD_DEVELOPMENT").default(false),
  BIND: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0 || v === "localhost", "BIND must be an IP address such as 127.0.0.1 or 0.0.0.0")
    .default("127.0.0.1"),
  PORT: port("PORT").default(3000),
  STREAMING_PORT: port("STREAMING_PORT").default(4000),
  STREAMING_API_BASE_URL: url("STREAMING_API_BASE_URL", ["ws:", "wss:", "http:", "https:"]).optional(),
  SOURCE_BASE_URL: url("SOURCE_BASE_URL", ["http:", "https:"]).optional(),
  METRICS_PORT: port("METRICS_PORT").default(9394),
  DATA_DIR: z.string().trim().min(1, "DATA_DIR must be a directory path").default("./data"),
  DATABASE_URL: url("DATABASE_URL", ["postgres:", "postgresql:"]).optional(),
  DB_POOL: positiveInt("DB_POOL", 500).default(10),
  PREPARED_STATEMENTS: bool("PREPARED_STATEMENTS").default(true),
  REDIS_URL: url("REDIS_URL", ["redis:", "rediss:"]).optional(),
  QUEUE_REDIS_URL: url("QUEUE_REDIS_URL", ["redis:", "rediss:"]).optional(),
  CACHE_REDIS_URL: url("CACHE_REDIS_URL", ["redis:", "rediss:"]).optional(),
  REDIS_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]*$/, "REDIS_NAMESPACE may only hold letters, digits, '_', '.' and '-'")
    .default(""),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => (LOG_LEVELS as readonly string[]).includes(v), `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`)
    .default("info"),
  TRUSTED_PROXY_IP: cidrList("TRUSTED_PROXY_IP").default([]),
  ALLOWED_PRIVATE_ADDRESSES: cidrList("ALLOWED_PRIVATE_ADDRESSES").default([]),
  AUTHORIZED_FETCH: bool("AUTHORIZED_FETCH").default(false),
  LIMITED_FEDERATION_MODE: bool("LIMITED_FEDERATION_MODE").default(false),
  ACTOR_KEYS_AT_CREATION: bool("ACTOR_KEYS_AT_CREATION").default(true),
  REGISTRATIONS_MODE: z
    .enum(["open", "approved", "none"], { message: "REGISTRATIONS_MODE must be open, approved or none" })
    .default("open"),
  SINGLE_USER_MODE: bool("SINGLE_USER_MODE").default(false),
  METRICS_ALLOWED_IPS: cidrList("METRICS_ALLOWED_IPS").default([]),
  HERD_SCHEDULE: z.string().trim().default(""),
  JOB_LOCK_SECONDS: positiveInt("JOB_LOCK_SECONDS", 3600).default(30),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt("SHUTDOWN_TIMEOUT_SECONDS", 3600).default(25),
  // glitch-soc's name for the status length limit, the one apps and admins know; Mastodon hard-codes 500.
  MAX_TOOT_CHARS: positiveInt("MAX_TOOT_CHARS", 100_000).default(500),

  MAX_IMAGE_SIZE: positiveInt("MAX_IMAGE_SIZE", 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  MAX_VIDEO_SIZE: positiveInt("MAX_VIDEO_SIZE", 8 * 1024 * 1024 * 1024).default(99 * 1024 * 1024),
  FFMPEG_BINARY: z.string().trim().min(1, "FFMPEG_BINARY must name the ffmpeg executable").default("ffmpeg"),
  FFMPEG_TIMEOUT_SECONDS: positiveInt("FFMPEG_TIMEOUT_SECONDS", 86_400).default(900),
  MEDIA_CACHE_RETENTION_PERIOD: positiveInt("MEDIA_CACHE_RETENTION_PERIOD", 36_500).optional(),

  S3_ENABLED: bool("S3_ENABLED").default(false),
  S3_BUCKET: z.string().trim().optional(),
  S3_REGION: z.string().trim().default("us-east-1"),
  S3_ENDPOINT: url("S3_ENDPOINT", ["http:", "https:"]).optional(),
  S3_HOSTNAME: domain("S3_HOSTNAME").optional(),
  S3_PROTOCOL: z.enum(["http", "https"], { message: "S3_PROTOCOL must be http or https" }).default("https"),
  S3_ALIAS_HOST: z
    .string()
    .trim()
    .regex(/^[^/\s]+(\/[^\s]*)?$/, "S3_ALIAS_HOST must be a host name with an optional path, without a scheme, like media.example.com")
    .optional(),
  S3_PERMISSION: z.string().trim().default("public-read"),
  S3_FORCE_PATH_STYLE: bool("S3_FORCE_PATH_STYLE").optional(),
  S3_FORCE_SINGLE_REQUEST: bool("S3_FORCE_SINGLE_REQUEST").default(false),
  MEDIA_MIGRATION_FROM: z.enum(["local", "s3"], { message: "MEDIA_MIGRATION_FROM must be local or s3 (the store media is moving away from)" }).optional(),
  AWS_ACCESS_KEY_ID: z.string().trim().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().trim().optional(),

  SMTP_SERVER: z.string().trim().optional(),
  SMTP_PORT: port("SMTP_PORT").optional(),
  SMTP_LOGIN: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM_ADDRESS: z.string().trim().optional(),
  SMTP_AUTH_METHOD: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ["plain", "login", "cram_md5", "none"].includes(v), "SMTP_AUTH_METHOD must be plain, login, cram_md5 or none")
    .default("plain"),
  SMTP_ENABLE_STARTTLS: z
    .enum(["auto", "always", "never"], { message: "SMTP_ENABLE_STARTTLS must be auto, always or never" })
    .default("auto"),
  SMTP_TLS: bool("SMTP_TLS").default(false),
  SMTP_SSL: bool("SMTP_SSL").default(false),
  SMTP_OPENSSL_VERIFY_MODE: z
    .enum(["peer", "none"], { message: "SMTP_OPENSSL_VERIFY_MODE must be peer or none" })
    .default("peer"),
});

export type RawEnv = z.infer<typeof envSchema>;
