import { z } from "zod";
import { defineJob } from "./define-job.ts";

// Spent codes are kept a day past expiry, so a replayed code is still recognised and its tokens revoked.
const GRANT_GRACE_MS = 24 * 3600_000;

/**
 * Deletes authorization codes and web sessions that have expired: every authorization and every sign-in leaves
 * a row behind, and nothing else would remove them.
 */
export const cleanupAuthRecords = defineJob({
  name: "cleanup-auth-records",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 60_000 },
  async run(deps) {
    const now = deps.clock.now();
    const grants = await deps.db.repos.oauth.purgeGrants(now - GRANT_GRACE_MS);
    const sessions = await deps.db.repos.sessions.purgeExpired(now);
    if (grants + sessions > 0) deps.log.debug({ grants, sessions }, "expired codes and sessions deleted");
  },
});
