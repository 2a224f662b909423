import { refreshTrends, refreshTrendsJob } from "../services/trends/trends.ts";
import { defineJob } from "./define-job.ts";

/** Recomputes trending tags, statuses and links into the cache (periodic, see DEFAULT_SCHEDULE). */
export const refreshTrendsHandler = defineJob({
  ...refreshTrendsJob,
  async run(deps) {
    const trends = await refreshTrends(deps);
    deps.log.debug({ statuses: trends.statuses.length, tags: trends.tags.length, links: trends.links.length }, "trends refreshed");
  },
});
