import { removeDeletedActorBatch, removeDeletedActorJob } from "../services/federation/inbound-accounts.ts";
import { defineJob } from "./define-job.ts";

/** Removes a deleted remote actor's statuses and follows, a batch per run (the service enqueues the next run). */
export const removeDeletedActorHandler = defineJob({
  ...removeDeletedActorJob,
  async run(deps, { accountId }) {
    await removeDeletedActorBatch(deps, BigInt(accountId));
  },
});
