import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { createPostgresDatabaseUrl, SKIP_POSTGRES, SKIP_REDIS, TEST_REDIS_URL, uniqueName } from "../support/backends.ts";
import { runHerd, startHerd, type HerdProcess } from "../support/cli.ts";

const skip = SKIP_POSTGRES || SKIP_REDIS;

/**
 * An SMTP server that never answers the first message it is given (a hung mail server: the sender waits inside
 * its job) and accepts every later one at once.
 */
async function holdingSmtpServer() {
  const received: { to: string[]; body: string }[] = [];
  let held = false;
  let firstSeen!: () => void;
  const firstArrived = new Promise<void>((r) => (firstSeen = r));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let body = "";
      stream.on("data", (d) => (body += d));
      stream.on("end", () => {
        if (!held) {
          held = true; // no callback: the client waits for the reply until it is killed
          firstSeen();
          return;
        }
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    firstArrived,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("split roles on PostgreSQL and Redis", { skip }, () => {
  it("web relays a job, the worker runs it, kill -9 mid-job re-runs it after restart, and three schedulers fire once per period", async () => {
    const { url, drop } = await createPostgresDatabaseUrl();
    const smtp = await holdingSmtpServer();
    const env = {
      DATABASE_URL: url,
      DB_POOL: "12",
      REDIS_URL: TEST_REDIS_URL!,
      REDIS_NAMESPACE: uniqueName("e2e"),
      SMTP_SERVER: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_ENABLE_STARTTLS: "never",
      JOB_LOCK_SECONDS: "2",
      HERD_SCHEDULE: "cleanup-leases=2s",
      PORT: "0",
      LOG_LEVEL: "info",
    };
    const procs: HerdProcess[] = [];
    const db = new pg.Client({ connectionString: url });
    try {
      assert.equal((await runHerd(["migrate"], env)).code, 0);
      await db.connect();
      const doctor = await runHerd(["doctor"], env);
      assert.equal(doctor.code, 0, doctor.stdout);
      assert.match(doctor.stdout, /ok\s+database: postgres, migrations up to date/);
      assert.match(doctor.stdout, /ok\s+redis \(cache\): CACHE_REDIS_URL reachable/);
      assert.match(doctor.stdout, /ok\s+redis \(queue\): QUEUE_REDIS_URL reachable/);
      assert.match(doctor.stdout, /ok\s+mail: smtp ready/);

      const web = startHerd(["web"], env);
      procs.push(web);
      await web.waitFor((l) => l.msg === "herd web is running");
      const queued = await runHerd(["admin", "mail", "test", "--to", "ops@example.com"], env);
      assert.equal(queued.code, 0, queued.stderr);

      // The outbox row leaves the database once web has relayed it into Redis.
      const deadline = Date.now() + 10_000;
      while (Number((await db.query("select count(*) as n from jobs")).rows[0].n) > 0) {
        assert.ok(Date.now() < deadline, "web did not relay the outbox");
        await new Promise((r) => setTimeout(r, 100));
      }
      const waiting = await runHerd(["admin", "jobs", "list", "--queue", "mailers"], env);
      assert.match(waiting.stdout, /^mailers\s+1\s+0\s+0\s+0$/m, waiting.stdout);

      const worker = startHerd(["worker", "--queues", "mailers,scheduler", "--concurrency", "2", "--metrics-port", "0"], env);
      procs.push(worker);
      await smtp.firstArrived; // the worker is inside the job, waiting for the mail server
      worker.child.kill("SIGKILL");
      await worker.stop();
      assert.equal(smtp.received.length, 0);

      const worker2 = startHerd(["worker", "--queues", "mailers,scheduler", "--concurrency", "2", "--metrics-port", "0"], env);
      procs.push(worker2);
      await worker2.waitFor((l) => l.msg === "test mail sent", 30_000);
      assert.equal(smtp.received.length, 1, "the interrupted job ran again and delivered");
      assert.deepEqual(smtp.received[0].to, ["ops@example.com"]);
      assert.match(smtp.received[0].body, /Subject: Herd test message/);

      const schedulers = [1, 2, 3].map(() => startHerd(["scheduler", "--metrics-port", "0"], env));
      procs.push(...schedulers);
      await Promise.all(schedulers.map((s) => s.waitFor((l) => l.msg === "herd scheduler is running")));
      await new Promise((r) => setTimeout(r, 7_000));
      const fired = schedulers.flatMap((s) => s.lines.filter((l) => l.msg === "periodic job fired" && l.job === "cleanup-leases"));
      const periods = fired.map((l) => l.period as string);
      assert.equal(new Set(periods).size, periods.length, `a period fired twice: ${periods.join(", ")}`);
      assert.ok(periods.length >= 3, `expected a firing every 2 s, saw ${periods.length}`);
      const counts = await runHerd(["admin", "jobs", "list", "--queue", "scheduler"], env);
      assert.match(counts.stdout, /^scheduler\s+\d+\s+\d+\s+\d+\s+0$/m, "no scheduler job died");

      for (const p of [web, worker2, ...schedulers]) assert.equal(await p.stop("SIGTERM"), 0, "graceful shutdown exits 0");
    } finally {
      await Promise.all(procs.map((p) => p.stop("SIGKILL")));
      await db.end().catch(() => {});
      await smtp.close();
      await drop();
    }
  });
});
