import { fetchRepliesJob } from "../../services/federation/ingest.ts";
import { defineJob } from "../../jobs/define-job.ts";
import { ingestRunModule } from "../lazy-modules.ts";

/** Runs fetch-replies (see fetchRepliesJob); Fedify loads with the first such job, as with ingest-activity. */
export const fetchRepliesHandler = defineJob({
  ...fetchRepliesJob,
  async run(deps, payload) {
    const { fetchReplies } = await ingestRunModule();
    await fetchReplies(deps, payload.statusUri);
  },
});
