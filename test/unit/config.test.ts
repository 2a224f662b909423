import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/config/config.ts";
import { loadConfig, readEnvironment } from "../../src/config/load.ts";

const load = (env: Record<string, string>) => loadConfig(env, "/srv/herd");

function rejects(env: Record<string, string>, variable: string, fragment: RegExp) {
  assert.throws(() => load(env), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.variable, variable);
    assert.match(e.message, fragment);
    return true;
  });
}

describe("configuration", () => {
  it("defaults to an embedded instance on localhost:3000 over http", () => {
    const c = load({});
    assert.equal(c.localDomain, "localhost:3000");
    assert.equal(c.webDomain, "localhost:3000");
    assert.equal(c.https, false);
    assert.equal(c.baseUrl, "http://localhost:3000");
    assert.equal(c.bind, "127.0.0.1");
    assert.equal(c.port, 3000);
    assert.equal(c.streamingPort, 4000);
    assert.equal(c.metricsPort, 9394);
    assert.deepEqual(c.database, { kind: "sqlite", path: "/srv/herd/data/herd.sqlite3" });
    assert.deepEqual(c.redis, { queueUrl: null, cacheUrl: null, namespace: "" });
    assert.deepEqual(c.media, { kind: "local", root: "/srv/herd/data/media" });
    assert.equal(c.mail.kind, "file");
    assert.equal(c.logLevel, "info");
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.database));
  });

  it("uses https for a public domain and keeps WEB_DOMAIN apart from LOCAL_DOMAIN", () => {
    const c = load({ LOCAL_DOMAIN: "example.com", WEB_DOMAIN: "social.example.com" });
    assert.equal(c.https, true);
    assert.equal(c.baseUrl, "https://social.example.com");
    assert.equal(c.localDomain, "example.com");
    assert.equal(load({ LOCAL_DOMAIN: "example.com", LOCAL_HTTPS: "false", HERD_DEVELOPMENT: "true" }).https, false);
    assert.equal(load({ LOCAL_DOMAIN: "herd.test", LOCAL_HTTPS: "false" }).https, false);
    rejects({ LOCAL_DOMAIN: "example.com", LOCAL_HTTPS: "false" }, "LOCAL_HTTPS", /HERD_DEVELOPMENT=true/);
    assert.equal(load({ LOCAL_DOMAIN: "127.0.0.1:3001" }).https, false);
  });

  it("picks PostgreSQL and Redis, with QUEUE_REDIS_URL and CACHE_REDIS_URL overriding REDIS_URL per use", () => {
    const c = load({
      DATABASE_URL: "postgres://herd@db/herd", DB_POOL: "25",
      REDIS_URL: "redis://r:6379/0", QUEUE_REDIS_URL: "redis://q:6379/1",
    });
    assert.deepEqual(c.database, { kind: "postgres", url: "postgres://herd@db/herd", pool: 25, preparedStatements: true });
    assert.equal(load({ DATABASE_URL: "postgres://herd@db/herd", PREPARED_STATEMENTS: "false" }).database.kind === "postgres" &&
      (load({ DATABASE_URL: "postgres://herd@db/herd", PREPARED_STATEMENTS: "false" }).database as { preparedStatements: boolean }).preparedStatements, false);
    assert.equal(c.redis.queueUrl, "redis://q:6379/1");
    assert.equal(c.redis.cacheUrl, "redis://r:6379/0");
  });

  it("treats empty values as unset, as systemd and compose produce them", () => {
    assert.equal(load({ DATABASE_URL: "", PORT: "" }).database.kind, "sqlite");
  });

  it("names the variable, the problem and the fix for a wrong value", () => {
    rejects({ PORT: "eighty" }, "PORT", /"eighty".*port number/);
    rejects({ PORT: "70000" }, "PORT", /port number/);
    rejects({ LOCAL_DOMAIN: "https://example.com/" }, "LOCAL_DOMAIN", /no scheme/);
    rejects({ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /postgres:\/\//);
    rejects({ REDIS_URL: "localhost:6379" }, "REDIS_URL", /redis:\/\//);
    rejects({ LOG_LEVEL: "loud" }, "LOG_LEVEL", /one of fatal, error, warn, info, debug/);
    rejects({ LOCAL_HTTPS: "maybe" }, "LOCAL_HTTPS", /true or false/);
    rejects({ TRUSTED_PROXY_IP: "10.0.0.0/99" }, "TRUSTED_PROXY_IP", /CIDR/);
    rejects({ DB_POOL: "0" }, "DB_POOL", /between 1 and/);
    rejects({ MAX_TOOT_CHARS: "0" }, "MAX_TOOT_CHARS", /"0".*between 1 and 100000.*unset it to use the default/);
    rejects({ MAX_TOOT_CHARS: "five hundred" }, "MAX_TOOT_CHARS", /whole number/);
    rejects({ MAX_TOOT_CHARS: "100001" }, "MAX_TOOT_CHARS", /between 1 and 100000/);
    rejects({ HERD_SCHEDULE: "nope=5m" }, "HERD_SCHEDULE", /unknown periodic job "nope"/);
    rejects({ HERD_SCHEDULE: "cleanup-leases=often" }, "HERD_SCHEDULE", /neither a duration/);
    rejects({ SMTP_SERVER: "smtp.example.com", SMTP_LOGIN: "me" }, "SMTP_PASSWORD", /SMTP_LOGIN is set/);
  });

  it("refuses S3 settings that would break uploads, naming the fix", () => {
    rejects({ S3_ENABLED: "true" }, "S3_BUCKET", /Set S3_BUCKET/);
    rejects({ S3_ENABLED: "true", S3_BUCKET: "media.example.com" }, "S3_BUCKET", /S3_FORCE_PATH_STYLE=true/);
    rejects({ S3_ENABLED: "true", S3_BUCKET: "b", AWS_ACCESS_KEY_ID: "k" }, "AWS_SECRET_ACCESS_KEY", /both/);
    const s3 = load({ S3_ENABLED: "true", S3_BUCKET: "media.example.com", S3_ENDPOINT: "http://127.0.0.1:9000" }).media;
    assert.equal(s3.kind, "s3");
    assert.equal(s3.kind === "s3" && s3.forcePathStyle, true, "a custom endpoint is path-style by default");
  });

  it("reads MAX_TOOT_CHARS, with Mastodon's 500 by default", () => {
    assert.equal(load({}).maxStatusChars, 500);
    assert.equal(load({ MAX_TOOT_CHARS: "5000" }).maxStatusChars, 5000);
  });

  it("applies HERD_SCHEDULE overrides", () => {
    const c = load({ HERD_SCHEDULE: "cleanup-leases=2s, database-maintenance=0 3 * * *" });
    const byName = Object.fromEntries(c.schedule.map((j) => [j.job.name, j.schedule]));
    assert.deepEqual(byName["cleanup-leases"], { everyMs: 2000 });
    assert.deepEqual(byName["database-maintenance"], { cron: "0 3 * * *" });
  });

  it("reads .env and .env.production under the real environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "herd-env-"));
    writeFileSync(join(dir, ".env"), "LOCAL_DOMAIN=from-dotenv.example\nPORT=4001\n");
    writeFileSync(join(dir, ".env.production"), "PORT=4002\nBIND=0.0.0.0\n");
    const env = readEnvironment({ BIND: "127.0.0.2" }, dir);
    assert.equal(env.LOCAL_DOMAIN, "from-dotenv.example");
    assert.equal(env.PORT, "4002");
    assert.equal(env.BIND, "127.0.0.2", "the environment wins over files");
  });
});
