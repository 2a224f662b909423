import { ingestActivityJob } from "../../services/federation/ingest.ts";
import { defineJob } from "../../jobs/define-job.ts";
import { ingestRunModule } from "../lazy-modules.ts";

/**
 * Runs ingest-activity (see ingestActivityJob): translates one verified activity and applies it through the
 * inbound services. The translation (and with it Fedify, ~60 MiB) is imported on the first job, not when the
 * worker starts: a process that never receives an activity never loads it (see roles.ts, mountFederationLazily).
 */
export const ingestActivityHandler = defineJob({
  ...ingestActivityJob,
  async run(deps, payload, job) {
    const { runIngest } = await ingestRunModule();
    await runIngest(deps, payload, job);
  },
});
