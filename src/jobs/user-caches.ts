import { refreshUserCaches, refreshUserCachesJob } from "../services/accounts/cache-refresh.ts";
import { defineJob } from "./define-job.ts";

/** Runs refreshUserCachesJob in whichever worker shares the cache (the `herd start` process when embedded). */
export const refreshUserCachesHandler = defineJob({
  ...refreshUserCachesJob,
  async run(deps, { userId, accountId }) {
    await refreshUserCaches(deps, BigInt(userId), BigInt(accountId));
  },
});
