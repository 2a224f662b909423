import { z } from "zod";
import { endDuePolls, endPoll } from "../services/polls/end-poll.ts";
import { endPollJob } from "../services/polls/poll-jobs.ts";
import { jobRequest } from "../ports/job-queue.ts";
import { defineJob } from "./define-job.ts";

// A job that runs a little before its poll's end (clocks of two processes differ) waits this long at least.
const MIN_RETRY_DELAY_MS = 1_000;

/** Ends a poll at its time; one that is not due yet (its end was moved, or the job ran early) waits again. */
export const endPollHandler = defineJob({
  ...endPollJob,
  async run(deps, { pollId }) {
    const outcome = await endPoll(deps, BigInt(pollId));
    if (outcome !== "not_due") return;
    const poll = await deps.db.repos.polls.findById(BigInt(pollId));
    if (!poll || poll.expiresAt === null) return;
    const delayMs = Math.max(MIN_RETRY_DELAY_MS, poll.expiresAt - deps.clock.now());
    await deps.db.enqueue([jobRequest(endPollJob, { pollId }, { delayMs, dedupKey: `end-poll:${pollId}` })]);
  },
});

/** Ends the polls whose end job was lost or delayed (the sweep behind endPollHandler). */
export const endDuePollsHandler = defineJob({
  name: "end-due-polls",
  queue: "scheduler",
  payload: z.object({ period: z.string() }),
  retry: { attempts: 3, backoffMs: 10_000 },
  async run(deps) {
    const ended = await endDuePolls(deps);
    if (ended > 0) deps.log.info({ ended }, "polls past their end were ended by the sweep");
  },
});
