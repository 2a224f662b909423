import { fetchRepliesJob } from "../../services/federation/ingest.ts";
import { defineJob } from "../../jobs/define-job.ts";

/** Runs fetch-replies (see fetchRepliesJob); Fedify loads with the first such job, as with ingest-activity. */
export const fetchRepliesHandler = defineJob({
  ...fetchRepliesJob,
  async run(deps, payload) {
    const { fetchReplies } = await import("./ingest-run.ts");
    await fetchReplies(deps, payload.statusUri);
  },
});
