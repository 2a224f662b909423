import { forgetInstanceCaches, refreshInstanceCachesJob } from "../services/instance/cache-jobs.ts";
import { defineJob } from "./define-job.ts";

/** Runs refreshInstanceCachesJob in whichever worker shares the cache (the `herd start` process when embedded). */
export const refreshInstanceCachesHandler = defineJob({
  ...refreshInstanceCachesJob,
  async run(deps) {
    await forgetInstanceCaches(deps.cache);
  },
});
