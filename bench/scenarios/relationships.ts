/**
 * GET /api/v1/accounts/relationships with 40 ids, 50 connections for 10 s, after seeding 40 accounts that the
 * viewer follows, is followed by, blocks, mutes and notes: every relation the query reads has rows.
 */
import { createAccount } from "../../src/services/admin/accounts.ts";
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { blockAccount } from "../../src/services/relationships/block.ts";
import { followAccount } from "../../src/services/relationships/follow.ts";
import { muteAccount } from "../../src/services/relationships/mute.ts";
import { setAccountNote } from "../../src/services/relationships/note.ts";
import type { BenchResult } from "../run.ts";
import { CONNECTIONS, SECONDS, loadServer, seed, serverSetups } from "../api-support.ts";

const OTHERS = 40;

/** Measures each available server setup in turn. */
export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes = [`${CONNECTIONS} connections, ${SECONDS} s, ${OTHERS} ids per request; load generator in this process on the same cores`];
  for (const setup of await serverSetups(notes)) {
    try {
      const { token, path } = await seed(setup, async (c) => {
        const deps = { db: c.db, cache: c.cache, clock: c.clock };
        const make = async (username: string) => {
          const created = await createAccount(c.jobDeps, { username, email: `${username}@example.com`, role: "user", confirmed: true, approved: true });
          if (!created.ok) throw new Error(`could not create ${username}`);
          return created.value.account.accountId;
        };
        const viewer = await make("viewer");
        const others: bigint[] = [];
        for (let i = 0; i < OTHERS; i++) others.push(await make(`other${i}`));
        for (const [i, id] of others.entries()) {
          if (i % 4 === 0) await followAccount(deps, viewer, id, {});
          if (i % 4 === 1) await followAccount(deps, id, viewer, {});
          if (i % 8 === 2) await blockAccount(deps, viewer, id);
          if (i % 8 === 3) await muteAccount(deps, viewer, id, {});
          if (i % 5 === 0) await setAccountNote(deps, viewer, id, `note ${i}`);
        }
        const t = await createAccessToken(c.jobDeps, "viewer", "read write follow");
        if (!t.ok) throw new Error("could not create a token");
        return { token: t.value.token, path: `/api/v1/accounts/relationships?${others.map((id) => `id[]=${id}`).join("&")}` };
      });
      const r = await loadServer(setup, path, token);
      rows.push({ server: setup.label, "req/s": Math.round(r.rps), "p99 ms": r.p99, errors: r.errors, non2xx: r.non2xx });
    } finally {
      await setup.drop();
    }
  }
  return { scenario: "relationships", rows, notes };
}
