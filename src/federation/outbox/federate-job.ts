import { defineJob } from "../../jobs/define-job.ts";
import { federateModule } from "../lazy-modules.ts";
import { federateJob, type FederationEvent } from "../../services/federation/outbound.ts";

/**
 * The `federate` job. Fedify and the rendering code load on the first such job, not when a worker starts: a
 * worker of an instance nobody federates with should not carry them (about 60 MiB).
 */
export const federateHandler = defineJob<FederationEvent>({
  ...federateJob,
  async run(deps, event, job) {
    const { federateEvent } = await federateModule();
    await federateEvent(deps, event, job.id);
  },
});
