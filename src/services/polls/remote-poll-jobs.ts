import { z } from "zod";
import { jobRequest, type JobContract, type JobRequest } from "../../ports/job-queue.ts";

/**
 * How long after a remote poll's end Herd reads it again, as Mastodon schedules its PollExpirationNotifyWorker:
 * by then the origin has counted the last votes delivered to it.
 */
export const REMOTE_POLL_END_DELAY_MS = 5 * 60_000;

/**
 * How long after its end the periodic sweep leaves a remote poll to its end job (the delay, the job's retries
 * and a backlog on `pull`); past that the sweep ends it with the tallies it has, as for a lost job.
 */
export const REMOTE_POLL_SWEEP_GRACE_MS = 30 * 60_000;

/**
 * Ends one remote poll: fetches its Question again for the final tallies, then notifies its local voters,
 * once. On `pull`, as it fetches. Enqueued in the transaction that stores the poll or moves its end.
 */
export const endRemotePollJob: JobContract<{ pollId: string }> = {
  name: "end-remote-poll",
  queue: "pull",
  payload: z.object({ pollId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 5, backoffMs: 30_000 },
};

/**
 * The end job of a remote poll ending at `expiresAt`, due REMOTE_POLL_END_DELAY_MS after it. Keyed by poll and
 * end: the many Updates of one poll (one per vote at its origin) schedule one job, a moved end one more.
 */
export function endRemotePollRequest(pollId: bigint, expiresAt: number, now: number): JobRequest {
  return jobRequest(
    endRemotePollJob,
    { pollId: String(pollId) },
    { delayMs: Math.max(0, expiresAt + REMOTE_POLL_END_DELAY_MS - now), dedupKey: `end-remote-poll:${pollId}:${expiresAt}` },
  );
}
