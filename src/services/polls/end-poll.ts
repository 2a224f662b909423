import { notify } from "../notifications/notify.ts";
import type { PollDeps } from "./deps.ts";
import { REMOTE_POLL_SWEEP_GRACE_MS } from "./remote-poll-jobs.ts";

/** What happened to a poll asked to end. */
export type EndPollOutcome = "ended" | "not_due" | "already_ended" | "gone";

/**
 * Ends a poll whose time has come, as Mastodon's PollExpirationNotifyWorker does: the author and every local
 * voter get a `poll` notification. Marking the poll ended and notifying happen in one transaction, and only
 * the caller that marks it ends it, so the notifications go out exactly once however many jobs and sweeps run.
 * A poll of a deleted status ends without notifications.
 */
export async function endPoll(deps: PollDeps, pollId: bigint): Promise<EndPollOutcome> {
  const poll = await deps.db.repos.polls.findById(pollId);
  if (!poll) return "gone";
  if (poll.endedAt !== null) return "already_ended";
  const now = deps.clock.now();
  if (poll.expiresAt === null || poll.expiresAt > now) return "not_due";
  return deps.db.transaction(async (tx) => {
    if (!(await tx.polls.markEnded(poll.id, now))) return "already_ended";
    if (!(await tx.statuses.findById(poll.statusId))) return "ended";
    const voters = await tx.polls.localVoterIds(poll.id);
    const recipients = [poll.accountId, ...voters.filter((id) => id !== poll.accountId)];
    await notify(tx, now, recipients.map((recipientId) => ({ type: "poll" as const, recipientId, fromAccountId: poll.accountId, statusId: poll.statusId })));
    return "ended";
  });
}

const BATCH = 100;
const MAX_BATCHES = 20;

/**
 * Ends every poll past its time that no job has ended (a lost or late job), oldest first; a bounded amount per
 * run, the rest on the next. A remote poll is left to its end job (which reads the final tallies first) for
 * REMOTE_POLL_SWEEP_GRACE_MS. Returns how many it ended.
 */
export async function endDuePolls(deps: PollDeps): Promise<number> {
  let ended = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const now = deps.clock.now();
    const ids = await deps.db.repos.polls.dueForEnding(now, BATCH, now - REMOTE_POLL_SWEEP_GRACE_MS);
    for (const id of ids) if ((await endPoll(deps, id)) === "ended") ended++;
    if (ids.length < BATCH) break;
  }
  return ended;
}
