import { z } from "zod";
import type { Cache } from "../../ports/cache.ts";
import type { Database } from "../../ports/database.ts";
import type { JobContract } from "../../ports/job-queue.ts";
import { forgetTokens } from "../auth/access-tokens.ts";
import { forgetAccounts } from "./account-cache.ts";

/**
 * Forgets what the caches hold about a user (resolved tokens, the rendered account) after a change made
 * outside the serving process, such as `herd admin accounts modify`. It runs as a job so that it executes where
 * the cache lives: with the embedded in-memory cache that is the `herd start` process, which a CLI cannot reach.
 */
export const refreshUserCachesJob: JobContract<{ userId: string; accountId: string }> = {
  name: "refresh-user-caches",
  queue: "default",
  payload: z.object({ userId: z.string().regex(/^\d{1,20}$/), accountId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 5, backoffMs: 1_000 },
};

/** Runs refreshUserCachesJob: a disabled user's tokens stop working, and role or approval changes show, at once. */
export async function refreshUserCaches(deps: { db: Database; cache: Cache }, userId: bigint, accountId: bigint): Promise<void> {
  await forgetTokens(deps.cache, await deps.db.repos.oauth.tokenHashesOfUser(userId));
  await forgetAccounts(deps.cache, [accountId]);
}
