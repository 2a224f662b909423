import { refreshSearchEntry } from "../services/search/index-status.ts";
import { indexStatusJob } from "../services/search/search-jobs.ts";
import { defineJob } from "./define-job.ts";

/** Runs indexStatusJob: (re)indexes a status, or takes a deleted one out of the search index. */
export const indexStatusHandler = defineJob({
  ...indexStatusJob,
  async run(deps, { statusId }) {
    await refreshSearchEntry(deps, BigInt(statusId));
  },
});
