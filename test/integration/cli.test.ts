import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import pg from "pg";
import { createHash } from "node:crypto";
import { SqliteDatabase } from "../../src/adapters/db/sqlite-database.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { createPostgresDatabaseUrl, quietLog, SKIP_POSTGRES } from "../support/backends.ts";
import { runHerd, startHerd, tempDataDir } from "../support/cli.ts";

describe("herd CLI", () => {
  it("lists every command in --help, and each command has its own help", async () => {
    const main = await runHerd(["--help"], {});
    assert.equal(main.code, 0);
    for (const cmd of ["start", "web", "streaming", "worker", "scheduler", "migrate", "doctor", "admin"])
      assert.match(main.stdout, new RegExp(`^  ${cmd}\\s`, "m"), cmd);
    const worker = await runHerd(["worker", "--help"], {});
    assert.equal(worker.code, 0);
    assert.match(worker.stdout, /--queues SPEC/);
    assert.match((await runHerd(["admin", "--help"], {})).stdout, /tokens create USERNAME/);
  });

  it("exits 64 on a wrong command or flag", async () => {
    const r = await runHerd(["launch"], {});
    assert.equal(r.code, 64);
    assert.match(r.stderr, /unknown command "launch"/);
    const f = await runHerd(["worker", "--queues", "bogus"], { DATABASE_URL: "postgres://x@127.0.0.1:1/x", REDIS_URL: "redis://127.0.0.1:1" });
    assert.equal(f.code, 64);
    assert.match(f.stderr, /unknown queue "bogus"/);
    assert.equal((await runHerd([], {})).code, 64);
  });

  it("exits 78 naming the variables when a split role starts without PostgreSQL and Redis", async () => {
    for (const role of ["web", "streaming", "worker", "scheduler"]) {
      const r = await runHerd([role], {});
      assert.equal(r.code, 78, role);
      assert.match(r.stderr, /DATABASE_URL \(PostgreSQL\) and REDIS_URL/, role);
      assert.match(r.stderr, /herd start/, role);
    }
  });

  it("exits 78 with the variable, the problem and the fix for a bad value", async () => {
    const r = await runHerd(["start"], { PORT: "http" });
    assert.equal(r.code, 78);
    assert.match(r.stderr, /configuration error: PORT: the value "http" is not valid\. PORT must be a port number/);
  });

  it("manages accounts, tokens and jobs on the embedded database", async () => {
    const data = tempDataDir();
    const env = { DATA_DIR: data };
    assert.match((await runHerd(["admin", "accounts", "list"], env)).stderr, /pending migration.*herd migrate/);
    assert.match((await runHerd(["migrate"], env)).stdout, /Applied: 0001-foundation/);
    assert.match((await runHerd(["migrate"], env)).stdout, /up to date/);

    const created = await runHerd(["admin", "accounts", "create", "alice", "--email", "alice@example.com", "--role", "owner", "--confirmed"], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created @alice \(alice@example.com\), role owner, confirmed/);
    const password = /New password: (\S+)/.exec(created.stdout)?.[1];
    assert.ok(password && password.length >= 24);

    const dup = await runHerd(["admin", "accounts", "create", "ALICE", "--email", "other@example.com"], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already taken/);
    const bad = await runHerd(["admin", "accounts", "create", "bad name", "--email", "x@example.com"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /letters, digits and underscores/);
    assert.equal((await runHerd(["admin", "accounts", "create", "bob"], env)).code, 64, "--email is required");
    assert.equal((await runHerd(["admin", "accounts", "create", "bob", "--email", "bob@example.com", "--password", "short"], env)).code, 1);
    assert.equal((await runHerd(["admin", "accounts", "create", "bob", "--email", "bob@example.com", "--password", "long enough"], env)).code, 0);

    const approvalEnv = { ...env, REGISTRATIONS_MODE: "approved" };
    await runHerd(["admin", "accounts", "create", "waiting", "--email", "waiting@example.com"], approvalEnv);
    await runHerd(["admin", "accounts", "create", "vetted", "--email", "vetted@example.com", "--approve"], approvalEnv);
    const pending = await runHerd(["admin", "accounts", "list"], env);
    assert.match(pending.stdout, /^waiting\s+\S+\s+user\s+no\s+no\s+no/m, "in approved mode an account waits for approval");
    assert.match(pending.stdout, /^vetted\s+\S+\s+user\s+no\s+yes\s+no/m);
    assert.match((await runHerd(["admin", "accounts", "modify", "waiting", "--approve"], env)).stdout, /approved/);

    const modified = await runHerd(["admin", "accounts", "modify", "bob", "--role", "moderator", "--disable"], env);
    assert.match(modified.stdout, /@bob: role moderator, disabled/);
    const reset = await runHerd(["admin", "accounts", "modify", "alice", "--reset-password"], env);
    assert.match(reset.stdout, /New password: \S+/);
    assert.equal((await runHerd(["admin", "accounts", "modify", "nobody", "--enable"], env)).code, 1);
    assert.equal((await runHerd(["admin", "accounts", "modify", "bob", "--role", "king"], env)).code, 64);

    const list = await runHerd(["admin", "accounts", "list"], env);
    assert.match(list.stdout, /^alice\s+alice@example.com\s+owner\s+yes\s+yes\s+no/m);
    assert.match(list.stdout, /^bob\s+bob@example.com\s+moderator\s+no\s+yes\s+yes/m);

    const token = await runHerd(["admin", "tokens", "create", "alice", "--scopes", "read write:statuses"], env);
    assert.equal(token.code, 0, token.stderr);
    const bearer = token.stdout.trim();
    assert.match(bearer, /^[A-Za-z0-9_-]{43}$/);
    assert.match(token.stderr, /scopes: read write:statuses/);
    assert.equal((await runHerd(["admin", "tokens", "create", "bob"], env)).code, 1, "disabled accounts get no token");
    assert.equal((await runHerd(["admin", "tokens", "create", "alice", "--scopes", "root"], env)).code, 64);

    // The token is stored only as its SHA-256, and the account's password only as a scrypt hash.
    const db = new SqliteDatabase(join(data, "herd.sqlite3"), systemClock, quietLog);
    try {
      const found = await db.repos.oauth.findActiveTokenByHash(createHash("sha256").update(bearer).digest("hex"));
      assert.deepEqual(found?.scopes, ["read", "write:statuses"]);
      const raw = readFileSync(join(data, "herd.sqlite3"));
      assert.ok(!raw.includes(bearer) && !raw.includes(password!), "no secret in clear in the database file");
    } finally {
      await db.close();
    }

    const mail = await runHerd(["admin", "mail", "test", "--to", "ops@example.com"], env);
    assert.match(mail.stdout, /Queued a test message/);
    const jobs = await runHerd(["admin", "jobs", "list"], env);
    assert.match(jobs.stdout, /^mailers\s+1\s+0\s+0\s+0$/m);
    assert.equal((await runHerd(["admin", "jobs", "retry"], env)).code, 64, "--queue is required");
    assert.match((await runHerd(["admin", "jobs", "clear", "--queue", "mailers"], env)).stdout, /Cleared 0 dead job/);
  });

  it("herd start runs the queued test mail through its worker into DATA_DIR/mail", async () => {
    const data = tempDataDir();
    const env = { DATA_DIR: data, PORT: "0", LOG_LEVEL: "info" };
    await runHerd(["migrate"], env);
    await runHerd(["admin", "mail", "test", "--to", "ops@example.com"], env);
    const herd = startHerd(["start"], env);
    try {
      await herd.waitFor((l) => l.msg === "test mail sent");
      const files = readdirSync(join(data, "mail")).filter((f) => f.endsWith(".eml"));
      assert.equal(files.length, 1);
      const eml = readFileSync(join(data, "mail", files[0]), "utf8");
      assert.match(eml, /^To: ops@example.com/m);
      assert.match(eml, /Subject: Herd test message/);
    } finally {
      assert.equal(await herd.stop("SIGTERM"), 0, "graceful shutdown exits 0");
    }
  });

  it("cuts a running herd start's cached access at once when the CLI disables an account", async () => {
    const data = tempDataDir();
    const env = { DATA_DIR: data, PORT: "0", LOG_LEVEL: "info" };
    await runHerd(["migrate"], env);
    await runHerd(["admin", "accounts", "create", "mallory", "--email", "mallory@example.com", "--confirmed"], env);
    const token = (await runHerd(["admin", "tokens", "create", "mallory", "--scopes", "read"], env)).stdout.trim();
    const herd = startHerd(["start"], env);
    try {
      const port = (await herd.waitFor((l) => l.msg === "Herd is running")).port;
      const me = () => fetch(`http://127.0.0.1:${port}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me()).status, 200);
      assert.equal((await me()).status, 200, "now resolved from the server's own memory cache");
      const disabled = await runHerd(["admin", "accounts", "modify", "mallory", "--disable"], env);
      assert.equal(disabled.code, 0, disabled.stderr);
      const deadline = Date.now() + 5_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await me()).status;
      }
      assert.equal(status, 401, "the disabled user's token stops working within seconds, not after the cache expires");
    } finally {
      await herd.stop("SIGTERM");
    }
  });

  it("doctor reports every backend of an embedded instance", async () => {
    const env = { DATA_DIR: tempDataDir() };
    const before = await runHerd(["doctor"], env);
    assert.equal(before.code, 1);
    assert.match(before.stdout, /FAIL\s+database: \d+ pending migration/);
    await runHerd(["migrate"], env);
    const after = await runHerd(["doctor"], env);
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /ok\s+database: sqlite, migrations up to date/);
    assert.match(after.stdout, /ok\s+media: local store writable/);
    assert.match(after.stdout, /All checks passed/);
  });

  it("copies an embedded instance into an empty PostgreSQL database and verifies it", { skip: SKIP_POSTGRES }, async () => {
    const data = tempDataDir();
    const env = { DATA_DIR: data };
    await runHerd(["migrate"], env);
    for (const name of ["carol", "dave", "erin"])
      await runHerd(["admin", "accounts", "create", name, "--email", `${name}@example.com`, "--confirmed"], env);
    await runHerd(["admin", "tokens", "create", "carol"], env);
    await runHerd(["admin", "mail", "test", "--to", "ops@example.com"], env);
    const { url, drop } = await createPostgresDatabaseUrl();
    try {
      const copy = await runHerd(["admin", "db", "copy", "--to", url], env);
      assert.equal(copy.code, 0, copy.stderr);
      assert.match(copy.stdout, /^accounts\s+3 rows$/m);
      assert.match(copy.stdout, /^users\s+3 rows$/m);
      assert.match(copy.stdout, /^oauth_access_tokens\s+1 rows$/m);
      // The test mail, and one key-generation job per account (no worker ran them).
      assert.match(copy.stdout, /^jobs\s+4 rows$/m);
      assert.match(copy.stdout, /^account_keys\s+0 rows$/m);
      assert.match(copy.stdout, /Copied and verified/);

      // The copy is a working instance: the CLI on PostgreSQL sees the same accounts with exact ids.
      const pgEnv = { DATABASE_URL: url };
      const list = await runHerd(["admin", "accounts", "list"], pgEnv);
      assert.match(list.stdout, /^carol\s+carol@example.com\s+user\s+yes/m);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query("select id::text as id, locked from accounts order by id");
        assert.equal(rows.length, 3);
        assert.ok(BigInt(rows[0].id) > 2n ** 53n, "64-bit ids survive exactly");
        assert.equal(rows[0].locked, false, "0/1 booleans become PostgreSQL booleans");
      } finally {
        await client.end();
      }

      const again = await runHerd(["admin", "db", "copy", "--to", url], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not empty/);
    } finally {
      await drop();
    }
  });
});
