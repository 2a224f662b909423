import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { MessageQueueEnqueueOptions } from "@fedify/fedify";
import { DatabaseJobQueue } from "../../src/adapters/db/database-job-queue.ts";
import { FEDIFY_JOB_NAME, FedifyJobHandlers, JobQueueMessageQueue } from "../../src/federation/fedify-message-queue.ts";
import type { JobEnvelope } from "../../src/ports/job-queue.ts";
import { databaseEngines, quietLog } from "../support/backends.ts";

const sqlite = databaseEngines.find((e) => e.name === "sqlite")!;

/** Fedify passes a Temporal.Duration; only `total("millisecond")` is read, so a stand-in does (Node 24 has no Temporal). */
const delay = (ms: number) => ({ total: (unit: string) => (unit === "millisecond" ? ms : NaN) }) as unknown as NonNullable<MessageQueueEnqueueOptions["delay"]>;

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A database queue on SQLite with a worker that dispatches by job name, as Herd's worker process does. */
async function setUp() {
  const t = await sqlite.open();
  const jobs = new DatabaseJobQueue(t.db, { pollMs: 50, log: quietLog });
  const handlers = new FedifyJobHandlers();
  const other: JobEnvelope[] = [];
  const worker = jobs.work({
    queues: [{ queue: "ingress", weight: 1 }, { queue: "push", weight: 1 }],
    concurrency: 4,
    handler: async (job) => {
      if (job.name === FEDIFY_JOB_NAME) return handlers.handle(job);
      other.push(job);
    },
  });
  return {
    jobs,
    handlers,
    other,
    close: async () => {
      await worker.close(500);
      await jobs.close();
      await t.close();
    },
  };
}

describe("Fedify MessageQueue over the JobQueue port", () => {
  it("delivers enqueued messages to the listener of their channel, honouring the delay", async () => {
    const { jobs, handlers, other, close } = await setUp();
    try {
      const inbox = new JobQueueMessageQueue(jobs, handlers, { queue: "ingress", channel: "inbox" });
      const outbox = new JobQueueMessageQueue(jobs, handlers, { queue: "push", channel: "outbox" });
      const got: { channel: string; message: unknown; at: number }[] = [];
      const controller = new AbortController();
      const listening = [
        inbox.listen((m) => void got.push({ channel: "inbox", message: m, at: Date.now() }), { signal: controller.signal }),
        outbox.listen(async (m) => void got.push({ channel: "outbox", message: m, at: Date.now() }), { signal: controller.signal }),
      ];

      await inbox.enqueue({ type: "inbox", activity: { id: "https://remote.example/1", type: "Follow" } });
      await until(() => got.length === 1, "the inbox message");
      assert.deepEqual(got[0], { channel: "inbox", message: { type: "inbox", activity: { id: "https://remote.example/1", type: "Follow" } }, at: got[0].at });

      const sentAt = Date.now();
      await outbox.enqueue({ type: "outbox", n: 1 }, { delay: delay(800) });
      await sleep(400);
      assert.equal(got.length, 1, "the delayed message arrived early");
      await until(() => got.length === 2, "the delayed message");
      assert.equal(got[1].channel, "outbox");
      assert.ok(got[1].at - sentAt >= 750, `arrived after ${got[1].at - sentAt} ms`);

      await outbox.enqueueMany([{ n: 2 }, { n: 3 }]);
      await until(() => got.length === 4, "both messages of enqueueMany");
      assert.deepEqual(got.slice(2).map((g) => g.message).sort((a, b) => (a as { n: number }).n - (b as { n: number }).n), [{ n: 2 }, { n: 3 }]);
      assert.deepEqual(other, [], "Fedify jobs go only to the Fedify handlers");

      controller.abort();
      await Promise.all(listening);
      assert.equal(handlers.listening("inbox"), false);
      assert.equal(handlers.listening("outbox"), false);
    } finally {
      await close();
    }
  });

  it("keeps a message whose channel nobody listens to, retrying until a listener comes", async () => {
    const { jobs, handlers, close } = await setUp();
    try {
      const mq = new JobQueueMessageQueue(jobs, handlers, { queue: "ingress", backoffMs: 100 });
      await mq.enqueue({ hello: "later" });
      await sleep(300);
      assert.equal((await jobs.counts("ingress")).dead, 0);
      const got: unknown[] = [];
      const controller = new AbortController();
      const listening = mq.listen((m) => void got.push(m), { signal: controller.signal });
      await until(() => got.length === 1, "the message once a listener exists");
      assert.deepEqual(got, [{ hello: "later" }]);
      controller.abort();
      await listening;
    } finally {
      await close();
    }
  });

  it("resolves listen at once for an aborted signal, and reports its retry mode", async () => {
    const { jobs, handlers, close } = await setUp();
    try {
      const mq = new JobQueueMessageQueue(jobs, handlers, { queue: "push", nativeRetrial: true });
      assert.equal(mq.nativeRetrial, true);
      assert.equal(new JobQueueMessageQueue(jobs, handlers, { queue: "push" }).nativeRetrial, false);
      await mq.listen(() => {}, { signal: AbortSignal.abort() });
      assert.equal(handlers.listening("push"), false);
    } finally {
      await close();
    }
  });
});
