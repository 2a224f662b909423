/**
 * GET /api/v1/timelines/home (20-status pages) for a viewer who follows 1,000 accounts with 50,000 statuses
 * between them, 50 connections for 10 s, on `herd start` and on `herd web` over PostgreSQL + Redis. The server
 * starts with no feed in its cache, so the first request also exercises the rebuild from the database (timed
 * separately). Goals on the 2-core reference machine: 3,000 req/s embedded, 1,500 req/s on PostgreSQL + Redis.
 */
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import type { BenchResult } from "../run.ts";
import { CONNECTIONS, SECONDS, loadServer, seed, serverSetups } from "../api-support.ts";
import { seedAccounts, seedFollows, seedStatuses } from "../social-seed.ts";

const FOLLOWED = 1_000;
const STATUSES = 50_000;

/** Measures each available server setup in turn. */
export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes = [
    `viewer follows ${FOLLOWED.toLocaleString("en-US")} accounts, ${STATUSES.toLocaleString("en-US")} statuses; ${CONNECTIONS} connections, ${SECONDS} s, 20 statuses a page; load generator in this process on the same cores`,
  ];
  for (const setup of await serverSetups(notes)) {
    try {
      const seedStart = Date.now();
      const token = await seed(setup, async (c) => {
        const [viewer] = await seedAccounts(c, "viewer", 1);
        const followed = await seedAccounts(c, "author", FOLLOWED);
        await seedFollows(c, followed.map((id) => [viewer, id] as const));
        await seedStatuses(c, followed, STATUSES);
        const t = await createAccessToken(c.jobDeps, "viewer0", "read write follow");
        if (!t.ok) throw new Error("could not create a token");
        return t.value.token;
      });
      const seedSeconds = (Date.now() - seedStart) / 1000;
      const r = await loadServer(setup, "/api/v1/timelines/home", token, { countStatuses: 20 });
      rows.push({
        server: setup.label, "req/s": Math.round(r.rps), "p99 ms": r.p99, "machine CPU µs/req": r.cpuUsPerRequest ?? "n/a", "first page ms": Math.round(r.probeMs),
        errors: r.errors, non2xx: r.non2xx, "seed s": Math.round(seedSeconds),
      });
      if (r.roundsRps) notes.push(`${setup.label}: median of rounds ${r.roundsRps.join(", ")} req/s (in the order run)`);
    } finally {
      await setup.drop();
    }
  }
  return { scenario: "home-timeline", rows, notes };
}
