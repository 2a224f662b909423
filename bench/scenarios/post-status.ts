/**
 * Two figures for posting:
 * 1. POST /api/v1/statuses with 50 connections for 10 s (every request a different text), spread over 50 posting
 *    accounts with 100 local followers each (one account posting 1,000 times a second would only measure the lock
 *    on its own counters), on `herd start` (its workers fan out in the same process) and on `herd web` over
 *    PostgreSQL + Redis (web only: fan-out jobs queue up for workers). Goals: 1,000/s embedded, 500/s on
 *    PostgreSQL + Redis.
 * 2. Fan-out of one status to 10,000 local followers' home feeds (all present in the Feeds backend), timed in
 *    this process on the same backends (memory feeds on SQLite, Redis feeds on PostgreSQL + Redis). Goal ≤ 1 s.
 */
import { createAccessToken } from "../../src/services/admin/tokens.ts";
import { postStatus } from "../../src/services/statuses/post-status.ts";
import { fanOutStatus } from "../../src/services/timelines/fan-out.ts";
import { homeKey } from "../../src/services/timelines/deps.ts";
import type { BenchResult } from "../run.ts";
import { CONNECTIONS, SECONDS, loadServer, seed, serverSetups } from "../api-support.ts";
import { seedAccounts, seedFollows } from "../social-seed.ts";

const LOAD_FOLLOWERS = 100;
const POSTERS = 50;
const FAN_OUT_FOLLOWERS = 10_000;

/** Measures each available server setup in turn. */
export async function run(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const notes = [
    `posting: ${CONNECTIONS} connections, ${SECONDS} s, ${POSTERS} authors with ${LOAD_FOLLOWERS} local followers each; load generator in this process on the same cores`,
    `fan-out: one public status to ${FAN_OUT_FOLLOWERS.toLocaleString("en-US")} local followers whose home feeds exist, best and worst of 3 runs`,
  ];
  for (const setup of await serverSetups(notes)) {
    try {
      const { tokens, fanOut } = await seed(setup, async (c) => {
        const posters = await seedAccounts(c, "poster", POSTERS);
        const followers = await seedAccounts(c, "reader", LOAD_FOLLOWERS);
        await seedFollows(c, posters.flatMap((poster) => followers.map((id) => [id, poster] as const)));
        const tokens: string[] = [];
        for (let i = 0; i < POSTERS; i++) {
          const t = await createAccessToken(c.jobDeps, `poster${i}`, "read write follow");
          if (!t.ok) throw new Error("could not create a token");
          tokens.push(t.value.token);
        }

        // The fan-out figure: measured here, where the Feeds backend is reachable.
        const [celebrity] = await seedAccounts(c, "celebrity", 1);
        const fans = await seedAccounts(c, "fan", FAN_OUT_FOLLOWERS);
        await seedFollows(c, fans.map((id) => [id, celebrity] as const));
        for (const id of [celebrity, ...fans]) await c.feeds.replace(homeKey(id), []);
        const deps = { db: c.db, feeds: c.feeds, clock: c.clock, cache: c.cache, localDomain: c.config.localDomain, maxStatusChars: c.config.maxStatusChars };
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const posted = await postStatus(deps, { accountId: celebrity, applicationId: null, text: `Hello fans, take ${i}` });
          if (!posted.ok) throw new Error(`could not post: ${JSON.stringify(posted.error)}`);
          const start = performance.now();
          await fanOutStatus(deps, posted.value);
          times.push(performance.now() - start);
          const missing = (await Promise.all(fans.slice(-50).map(async (id) => (await c.feeds.page(homeKey(id), {}, 1)) ?? []))).filter(
            (page) => page[0] !== posted.value,
          ).length;
          if (missing > 0) throw new Error(`${missing} of the last 50 fans' feeds lack the status`);
        }
        return { tokens, fanOut: { best: Math.min(...times), worst: Math.max(...times) } };
      });
      const r = await loadServer(setup, "/api/v1/statuses", tokens[0], {
        method: "POST", form: "status=Benchmark+post+number+[<id>]&visibility=public", tokens,
      });
      rows.push({
        server: setup.label, "posts/s": Math.round(r.rps), "p99 ms": r.p99, "machine CPU µs/post": r.cpuUsPerRequest ?? "n/a", errors: r.errors,
        non2xx: r.non2xx, "fan-out 10k best ms": Math.round(fanOut.best), "fan-out 10k worst ms": Math.round(fanOut.worst),
      });
      if (r.roundsRps) notes.push(`${setup.label}: median of rounds ${r.roundsRps.join(", ")} posts/s (in the order run)`);
    } finally {
      await setup.drop();
    }
  }
  return { scenario: "post-status", rows, notes };
}
