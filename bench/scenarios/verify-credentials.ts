/**
 * GET /api/v1/accounts/verify_credentials with one bearer token, 50 connections for 10 s: `herd start` on the
 * embedded database, and `herd web` on PostgreSQL + Redis. Goals on the 2-core reference machine: 15,000 req/s
 * embedded, 8,000 req/s on PostgreSQL + Redis.
 */
import { createAccount } from "../../src/services/admin/accounts.ts";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import type { BenchResult } from "../run.ts";
import { CONNECTIONS, SECONDS, loadServer, seed, serverSetups } from "../api-support.ts";

/** Measures each available server setup in turn. */
export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes = [`${CONNECTIONS} connections, ${SECONDS} s, one token; load generator in this process on the same cores`];
  for (const setup of await serverSetups(notes)) {
    try {
      const token = await seed(setup, async (c) => {
        const created = await createAccount(c.jobDeps, { username: "bench", email: "bench@example.com", role: "user", confirmed: true, approved: true });
        if (!created.ok) throw new Error(`could not create the account: ${JSON.stringify(created.error)}`);
        const t = await createAccessToken(c.jobDeps, "bench", "read write follow");
        if (!t.ok) throw new Error("could not create a token");
        return t.value.token;
      });
      const r = await loadServer(setup, "/api/v1/accounts/verify_credentials", token);
      rows.push({ server: setup.label, "req/s": Math.round(r.rps), "p99 ms": r.p99, errors: r.errors, non2xx: r.non2xx });
    } finally {
      await setup.drop();
    }
  }
  return { scenario: "verify-credentials", rows, notes };
}
