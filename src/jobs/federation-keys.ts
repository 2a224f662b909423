import { ensureActorKeys } from "../services/federation/keys.ts";
import { generateActorKeysJob } from "../services/federation/key-jobs.ts";
import { defineJob } from "./define-job.ts";

/** Runs generateActorKeysJob: keys for a local account that still exists (and has none yet). */
export const generateActorKeysHandler = defineJob({
  ...generateActorKeysJob,
  async run(deps, { accountId }) {
    // Operators (and test suites) may defer generation to the first time the actor is served.
    if (deps.instance.actorKeysAtCreation === false) return;
    const account = await deps.db.repos.accounts.findById(BigInt(accountId));
    if (!account || account.domain !== null) return;
    await ensureActorKeys(deps, account.id);
  },
});
