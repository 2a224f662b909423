import type { PollDeps } from "./deps.ts";
import { endPoll, type EndPollOutcome } from "./end-poll.ts";
import { endRemotePollRequest } from "./remote-poll-jobs.ts";

/**
 * Fetches a stored remote status again from its origin and applies it as an Update of it would be (new
 * tallies, a moved end). False when the origin could not give it; throws only on Herd's own failures.
 */
export type RefreshRemoteStatus = (statusUri: string) => Promise<boolean>;

/** What became of a remote poll's end job; `refreshed` tells whether its origin gave the final tallies. */
export interface EndRemotePollResult {
  readonly outcome: EndPollOutcome;
  readonly refreshed: boolean;
}

/**
 * Ends a remote poll as Mastodon's PollExpirationNotifyWorker does, a few minutes after its end: its Question
 * is fetched again first (as FetchRemotePollService does), so the tallies shown are the origin's final ones,
 * then endPoll marks it ended and notifies each local voter in one transaction, so a retried or repeated job
 * notifies nobody twice. An unreachable origin leaves the stored tallies and the voters are notified all the
 * same. A poll that is gone (its status deleted, or the poll replaced by an edit, whose new poll has its own
 * job) or already ended is left alone; one not due yet (its end moved later) waits for its new time.
 */
export async function endRemotePoll(deps: PollDeps, pollId: bigint, refresh: RefreshRemoteStatus): Promise<EndRemotePollResult> {
  const poll = await deps.db.repos.polls.findById(pollId);
  if (!poll) return { outcome: "gone", refreshed: false };
  if (poll.endedAt !== null) return { outcome: "already_ended", refreshed: false };
  const status = await deps.db.repos.statuses.findById(poll.statusId);
  // Local polls end through end-poll; a deleted status's poll ends with nobody told.
  if (!status || status.uri === null) return { outcome: "gone", refreshed: false };
  if (poll.expiresAt === null) return { outcome: "not_due", refreshed: false };
  if (poll.expiresAt > deps.clock.now()) {
    await retime(deps, poll.id, poll.expiresAt);
    return { outcome: "not_due", refreshed: false };
  }
  const refreshed = await refresh(status.uri);
  const outcome = await endPoll(deps, poll.id);
  if (outcome === "not_due") {
    // The origin moved the end later: the Update that said so scheduled the job for it; this makes sure.
    const moved = await deps.db.repos.polls.findById(poll.id);
    if (moved?.expiresAt != null) await retime(deps, poll.id, moved.expiresAt);
  }
  return { outcome, refreshed };
}

/** Schedules the end job for the poll's current end (a no-op while one for that end waits). */
async function retime(deps: PollDeps, pollId: bigint, expiresAt: number): Promise<void> {
  await deps.db.enqueue([endRemotePollRequest(pollId, expiresAt, deps.clock.now())]);
}
