import { defineJob } from "../../jobs/define-job.ts";
import { ingestRunModule } from "../lazy-modules.ts";
import { endRemotePoll } from "../../services/polls/end-remote-poll.ts";
import { endRemotePollJob } from "../../services/polls/remote-poll-jobs.ts";

/**
 * Runs end-remote-poll (see endRemotePollJob): the Question is fetched again through the inbox's signed,
 * guarded loader and applied as an Update, then the local voters are told. Fedify loads with the first fetch.
 */
export const endRemotePollHandler = defineJob({
  ...endRemotePollJob,
  async run(deps, { pollId }) {
    const result = await endRemotePoll(deps, BigInt(pollId), async (statusUri) => {
      const { refreshRemoteStatus } = await ingestRunModule();
      return refreshRemoteStatus(deps, statusUri);
    });
    deps.log.debug({ pollId, ...result }, "remote poll end");
  },
});
