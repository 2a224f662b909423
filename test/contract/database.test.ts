import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { timeOfId } from "../../src/domain/ids.ts";
import { databaseEngines } from "../support/backends.ts";

for (const engine of databaseEngines) {
  describe(`Database contract: ${engine.name}`, { skip: engine.skip }, () => {
    it("hands out unique, time-sortable 64-bit ids, inside and outside transactions", async () => {
      const { db, close } = await engine.open();
      try {
        const before = Date.now();
        const outside = await Promise.all(Array.from({ length: 2500 }, () => db.nextId()));
        const inside = await db.transaction(async (tx) => Promise.all(Array.from({ length: 1500 }, () => tx.nextId())));
        const all = [...outside, ...inside];
        assert.equal(new Set(all).size, all.length);
        for (const id of all) {
          assert.equal(typeof id, "bigint");
          assert.ok(id > 2n ** 53n, "ids exceed a double's exact range, so they must stay bigint");
          assert.ok(timeOfId(id) >= before - 1 && timeOfId(id) <= Date.now() + 1);
        }
      } finally {
        await close();
      }
    });

    it("commits a transaction's writes and its jobs together", async () => {
      const { db, close } = await engine.open();
      try {
        let woke = 0;
        db.jobsCommitted.add(() => void woke++);
        await db.transaction(async (tx) => {
          const accountId = await tx.nextId();
          await tx.accounts.createLocal({
            accountId, userId: await tx.nextId(), username: "alice", email: "alice@example.com",
            passwordHash: "x", role: "user", confirmed: true, approved: true, now: Date.now(),
          });
          await tx.enqueue([{ name: "welcome", queue: "mailers", payload: { accountId: String(accountId) } }]);
        });
        assert.equal(woke, 1);
        assert.ok(await db.repos.accounts.findLocalByUsername("ALICE"));
        const jobs = await db.kysely.selectFrom("jobs").selectAll().execute();
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0].name, "welcome");
        assert.deepEqual(JSON.parse(jobs[0].payload), { accountId: jobs[0].payload.match(/\d+/)![0] });
      } finally {
        await close();
      }
    });

    it("rolls back writes and jobs when the transaction throws", async () => {
      const { db, close } = await engine.open();
      try {
        let woke = 0;
        db.jobsCommitted.add(() => void woke++);
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.accounts.createLocal({
              accountId: await tx.nextId(), userId: await tx.nextId(), username: "bob", email: "bob@example.com",
              passwordHash: "x", role: "user", confirmed: true, approved: true, now: Date.now(),
            });
            await tx.enqueue([{ name: "welcome", queue: "mailers", payload: {} }]);
            throw new Error("boom");
          }),
          /boom/,
        );
        assert.equal(woke, 0);
        assert.equal(await db.repos.accounts.findLocalByUsername("bob"), null);
        assert.equal((await db.kysely.selectFrom("jobs").selectAll().execute()).length, 0);
        // The id generator still works after the rollback discarded its block.
        assert.equal(typeof (await db.nextId()), "bigint");
      } finally {
        await close();
      }
    });

    it("keeps one waiting job per dedup key", async () => {
      const { db, close } = await engine.open();
      try {
        const job = { name: "refresh", queue: "pull" as const, payload: { id: "1" }, dedupKey: "refresh:1" };
        await db.transaction((tx) => tx.enqueue([job]));
        await db.transaction((tx) => tx.enqueue([job, { ...job, dedupKey: "refresh:2" }]));
        const rows = await db.kysely.selectFrom("jobs").select("dedup_key").orderBy("id").execute();
        assert.deepEqual(rows.map((r) => r.dedup_key), ["refresh:1", "refresh:2"]);
      } finally {
        await close();
      }
    });

    it("records jobs on their own, waking workers, keeping dedup keys, and many at once all or none", async () => {
      const { db, close } = await engine.open();
      try {
        const woke: string[][] = [];
        db.jobsCommitted.add((queues) => void woke.push([...queues]));
        const job = { name: "ingest", queue: "ingress" as const, payload: { n: 1 }, dedupKey: "ingest:1" };
        await db.enqueue([job]);
        await db.enqueue([job]);
        assert.deepEqual(woke, [["ingress"], ["ingress"]]);
        assert.equal((await db.kysely.selectFrom("jobs").selectAll().where("dedup_key", "=", "ingest:1").execute()).length, 1);
        // More than one INSERT holds: still one commit.
        const many = Array.from({ length: 1_200 }, (_, i) => ({ name: "bulk", queue: "default" as const, payload: { i } }));
        await db.enqueue(many);
        assert.equal((await db.kysely.selectFrom("jobs").selectAll().where("name", "=", "bulk").execute()).length, 1_200);
        await assert.rejects(db.enqueue([...many.slice(0, 600), { name: "bad", queue: "default", payload: { big: 1n } as never }]));
        assert.equal((await db.kysely.selectFrom("jobs").selectAll().where("name", "=", "bulk").execute()).length, 1_200, "a failed batch leaves nothing");
      } finally {
        await close();
      }
    });

    it("records jobs enqueued at the same moment together: one per dedup key, and a bad one fails alone", async () => {
      const { db, close } = await engine.open();
      try {
        const job = (n: number, key: string | null) => ({ name: "ingest", queue: "ingress" as const, payload: { n }, ...(key ? { dedupKey: key } : {}) });
        const outcomes = await Promise.allSettled([
          db.enqueue([job(1, "same")]),
          db.enqueue([job(2, "same")]),
          db.enqueue([job(3, "other")]),
          db.enqueue([job(4, null), job(5, "mixed")]),
          db.enqueue([{ name: "bad", queue: "ingress", payload: { big: 1n } as never }]),
          db.enqueue([job(6, "same")]),
          db.enqueue([job(7, null)]),
        ]);
        assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
        const rows = await db.kysely.selectFrom("jobs").select(["payload", "dedup_key"]).execute();
        assert.deepEqual(
          rows.map((r) => [JSON.parse(r.payload).n, r.dedup_key]).sort((a, b) => a[0] - b[0]),
          [[1, "same"], [3, "other"], [4, null], [5, "mixed"], [7, null]],
        );
      } finally {
        await close();
      }
    });

    it("rejects a second local account with the same username or e-mail, case-insensitively", async () => {
      const { db, close } = await engine.open();
      try {
        const make = async (username: string, email: string) =>
          db.transaction(async (tx) =>
            tx.accounts.createLocal({
              accountId: await tx.nextId(), userId: await tx.nextId(), username, email,
              passwordHash: "x", role: "user", confirmed: false, approved: true, now: Date.now(),
            }),
          );
        assert.equal(await make("Carol", "carol@example.com"), true);
        assert.equal(await make("carol", "other@example.com"), false);
        assert.equal(await make("dave", "CAROL@example.com"), false);
        const list = await db.repos.accounts.listLocal(null, 10);
        assert.deepEqual(list.map((a) => a.username), ["Carol"]);
        assert.equal(list[0].confirmed, false);
      } finally {
        await close();
      }
    });

    it("lets exactly one of many concurrent sign-ups with one username (or e-mail) through", async () => {
      const { db, close } = await engine.open();
      try {
        const attempt = (i: number, username: string, email: string) =>
          db.transaction(async (tx) =>
            tx.accounts.createLocal({
              accountId: await tx.nextId(), userId: await tx.nextId(), username, email: email.replace("#", String(i)),
              passwordHash: "x", role: "user", confirmed: false, approved: true, now: Date.now(),
            }),
          );
        const sameName = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i, "Racer", "racer#@example.com")));
        assert.equal(sameName.filter(Boolean).length, 1);
        const sameEmail = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i, `mail${i}`, "shared@example.com")));
        assert.equal(sameEmail.filter(Boolean).length, 1);
        const accounts = await db.kysely.selectFrom("accounts").select("username").execute();
        assert.equal(accounts.length, 2, "a loser's account row does not stay behind without its user");
      } finally {
        await close();
      }
    });
  });
}
