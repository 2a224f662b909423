import { domainModerationChangedJob, forgetDomainModeration } from "../services/federation/domain-moderation.ts";
import { defineJob } from "./define-job.ts";

/** Runs domainModerationChangedJob in whichever worker shares the caches (the `herd start` process when embedded). */
export const domainModerationChangedHandler = defineJob({
  ...domainModerationChangedJob,
  async run(deps, { accountIds }) {
    await forgetDomainModeration(deps, accountIds.map((id) => BigInt(id)));
  },
});
