import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FileMailer } from "../../src/adapters/mail/file-mailer.ts";
import { SmtpMailer, smtpOptions } from "../../src/adapters/mail/smtp-mailer.ts";
import { ConfigError, type MailConfig } from "../../src/config/config.ts";
import { parseMail } from "../support/eml.ts";
import { closedPort } from "../support/closed-port.ts";
import { REFUSED_DOMAIN, startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";
import { mailerContract, type MailerHarness } from "./mailer.contract.ts";

type SmtpConfig = Extract<MailConfig, { kind: "smtp" }>;

const FROM = "notifications@herd.example";
const USERS = { herd: "correct horse battery staple" };

function smtpConfig(port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    kind: "smtp",
    host: "127.0.0.1",
    port,
    login: null,
    password: null,
    from: FROM,
    authMethod: "plain",
    starttls: "never",
    implicitTls: false,
    verifyCertificates: true,
    ...overrides,
  };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "herd-mail-"));
}

/** Expects a ConfigError for `variable` whose text includes every one of `phrases`. */
async function assertConfigError(promise: Promise<unknown>, variable: string, ...phrases: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.variable, variable, error.message);
    for (const phrase of phrases) assert.ok(error.message.includes(phrase), `${JSON.stringify(phrase)} missing from: ${error.message}`);
    return true;
  });
}

/** Reads the .eml files of a FileMailer in order, one per call. */
function emlReader(dir: string): () => Promise<{ raw: Buffer }> {
  const seen = new Set<string>();
  return async () => {
    const files = (await readdir(dir)).filter((name) => name.endsWith(".eml") && !seen.has(name)).sort();
    assert.equal(files.length, 1, `expected one new .eml file in ${dir}, found ${files.join(", ") || "none"}`);
    seen.add(files[0]);
    return { raw: await readFile(join(dir, files[0])) };
  };
}

async function smtpHarness(server: TestSmtpServer, overrides: Partial<SmtpConfig>): Promise<MailerHarness> {
  const mailer = new SmtpMailer(smtpConfig(server.port, overrides));
  return {
    mailer,
    from: FROM,
    async next() {
      const message = await server.next();
      return { raw: message.raw, envelope: { from: message.mailFrom, to: message.rcptTo } };
    },
    close: () => mailer.close(),
  };
}

// Servers shared by the SMTP suites of this file, started on first use.
let plainServer: Promise<TestSmtpServer> | null = null;
let authServer: Promise<TestSmtpServer> | null = null;
const servers = {
  plain: () => (plainServer ??= startSmtpServer()),
  auth: () => (authServer ??= startSmtpServer({ users: USERS })),
};
after(async () => {
  for (const server of [plainServer, authServer]) if (server) await (await server).stop();
});

mailerContract("file", async () => {
  const dir = await tempDir();
  const mailDir = join(dir, "mail");
  const mailer = new FileMailer(mailDir, FROM);
  const next = emlReader(mailDir);
  return { mailer, from: FROM, next, close: async () => { await mailer.close(); await rm(dir, { recursive: true, force: true }); } };
});

mailerContract("smtp (no authentication, plain text)", async () =>
  smtpHarness(await servers.plain(), { starttls: "never", authMethod: "none" }),
);

mailerContract("smtp (AUTH PLAIN)", async () =>
  smtpHarness(await servers.auth(), { login: "herd", password: USERS.herd, authMethod: "plain" }),
);

describe("FileMailer", () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names the file by time and Message-ID, keeps it private, and logs where it went", async () => {
    const lines: { obj: object; msg?: string }[] = [];
    const mailDir = join(dir, "named");
    const mailer = new FileMailer(mailDir, FROM, { info: (obj, msg) => void lines.push({ obj, msg }) });
    const id = await mailer.send({ to: "dave@example.com", subject: "Reset your password", text: "https://herd.example/reset/xyz" });
    const [file] = await readdir(mailDir);
    assert.match(file, /^\d{8}T\d{9}Z-.+\.eml$/);
    assert.ok(file.includes(id.replace(/^<|>$/g, "")), `${file} names ${id}`);
    assert.equal((await stat(join(mailDir, file))).mode & 0o777, 0o600);
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0].obj, { to: "dave@example.com", subject: "Reset your password", file: join(mailDir, file) });
    assert.ok(lines[0].msg);
    const mail = parseMail(await readFile(join(mailDir, file)));
    assert.equal(mail.headers.get("subject"), "Reset your password");
    assert.deepEqual((await readdir(mailDir)).filter((name) => !name.endsWith(".eml")), [], "no temporary files left");
    await mailer.close();
  });

  it("creates its directory in the check, and names DATA_DIR when it cannot", async () => {
    const good = new FileMailer(join(dir, "deep", "mail"), FROM);
    await good.check();
    assert.deepEqual(await readdir(join(dir, "deep", "mail")), []);
    await writeFile(join(dir, "a-file"), "x");
    const bad = new FileMailer(join(dir, "a-file", "mail"), FROM);
    await assertConfigError(bad.check(), "DATA_DIR", join(dir, "a-file", "mail"), "SMTP_SERVER");
    await assert.rejects(bad.send({ to: "x@example.com", subject: "s", text: "t" }));
  });
});

describe("SmtpMailer", () => {
  let plain: TestSmtpServer;
  let auth: TestSmtpServer;
  before(async () => {
    plain = await servers.plain();
    auth = await servers.auth();
  });

  /** Builds a mailer, runs `fn`, always closes it. */
  async function withMailer(config: SmtpConfig, fn: (mailer: SmtpMailer) => Promise<void>): Promise<void> {
    const mailer = new SmtpMailer(config);
    try {
      await fn(mailer);
    } finally {
      await mailer.close();
    }
  }

  for (const [method, sasl] of [["plain", "PLAIN"], ["login", "LOGIN"], ["cram_md5", "CRAM-MD5"]] as const) {
    it(`logs in with SMTP_AUTH_METHOD=${method} (${sasl})`, async () => {
      await withMailer(smtpConfig(auth.port, { login: "herd", password: USERS.herd, authMethod: method }), async (mailer) => {
        await mailer.check();
        await mailer.send({ to: "erin@example.com", subject: `via ${sasl}`, text: "hi" });
        const received = await auth.next();
        assert.equal(received.user, "herd");
        assert.equal(received.authMethod, sasl);
        assert.equal(parseMail(received.raw).headers.get("subject"), `via ${sasl}`);
      });
    });
  }

  it("does not log in when SMTP_AUTH_METHOD is none, even with SMTP_LOGIN set", async () => {
    await withMailer(smtpConfig(plain.port, { login: "herd", password: "unused", authMethod: "none" }), async (mailer) => {
      await mailer.check();
      await mailer.send({ to: "frank@example.com", subject: "no auth", text: "hi" });
      const received = await plain.next();
      assert.equal(received.user, null);
    });
  });

  it("rejects a send and names SMTP_LOGIN in its check when the password is wrong", async () => {
    await withMailer(smtpConfig(auth.port, { login: "herd", password: "wrong", authMethod: "plain" }), async (mailer) => {
      await assert.rejects(mailer.send({ to: "gina@example.com", subject: "s", text: "t" }), /Invalid/);
      await assertConfigError(mailer.check(), "SMTP_LOGIN", `127.0.0.1:${auth.port}`, "SMTP_PASSWORD");
    });
  });

  it("rejects a send when the server refuses the recipient", async () => {
    await withMailer(smtpConfig(plain.port, { authMethod: "none" }), async (mailer) => {
      await assert.rejects(mailer.send({ to: `nobody@${REFUSED_DOMAIN}`, subject: "s", text: "t" }), /No such mailbox|550/);
    });
  });

  it("names SMTP_SERVER when nothing listens at SMTP_SERVER:SMTP_PORT", async () => {
    const port = await closedPort();
    await withMailer(smtpConfig(port), async (mailer) => {
      await assertConfigError(mailer.check(), "SMTP_SERVER", `127.0.0.1:${port}`, "ECONNREFUSED", "SMTP_PORT");
      await assert.rejects(mailer.send({ to: "h@example.com", subject: "s", text: "t" }));
    });
  });

  it("names SMTP_ENABLE_STARTTLS when STARTTLS is required and the server has none", async () => {
    await withMailer(smtpConfig(plain.port, { starttls: "always" }), async (mailer) => {
      await assertConfigError(mailer.check(), "SMTP_ENABLE_STARTTLS", "STARTTLS");
    });
  });

  it("names SMTP_TLS when implicit TLS meets a plain-text port", async () => {
    await withMailer(smtpConfig(plain.port, { implicitTls: true }), async (mailer) => {
      await assertConfigError(mailer.check(), "SMTP_TLS", "SMTP_PORT=465");
    });
  });

  it("maps the SMTP_* settings onto nodemailer's options", () => {
    const base = smtpConfig(587, { host: "smtp.example.com" });
    assert.deepEqual(
      { ...smtpOptions({ ...base, login: "u", password: "p", authMethod: "cram_md5", starttls: "always", verifyCertificates: false }) },
      {
        host: "smtp.example.com",
        port: 587,
        secure: false,
        auth: { user: "u", pass: "p" },
        authMethod: "CRAM-MD5",
        requireTLS: true,
        ignoreTLS: false,
        tls: { rejectUnauthorized: false },
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
        dnsTimeout: 10_000,
      },
    );
    const implicit = smtpOptions({ ...base, port: 465, implicitTls: true, starttls: "auto", login: "u", password: "p", authMethod: "none" });
    assert.equal(implicit.secure, true);
    assert.equal(implicit.requireTLS, false);
    assert.equal(implicit.ignoreTLS, false);
    assert.equal(implicit.auth, undefined);
    assert.deepEqual(implicit.tls, { rejectUnauthorized: true });
    assert.equal(smtpOptions({ ...base, starttls: "never" }).ignoreTLS, true);
    assert.equal(smtpOptions({ ...base, login: null, authMethod: "login" }).auth, undefined);
  });
});
