import type { ValidPoll } from "../../domain/polls.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { endPollJob } from "./poll-jobs.ts";

/** The end job for a poll ending at `expiresAt`, delayed until then. */
export function endPollRequest(pollId: bigint, expiresAt: number, now: number) {
  return jobRequest(endPollJob, { pollId: String(pollId) }, { delayMs: Math.max(0, expiresAt - now) });
}

/**
 * Writes a validated poll for a status being created, in the status's transaction, with the job that ends it
 * at its time (so a poll exists if and only if its end is scheduled). Returns the poll's id.
 */
export async function createPoll(tx: Tx, input: { statusId: bigint; accountId: bigint; poll: ValidPoll; now: number }): Promise<bigint> {
  const id = await tx.nextId();
  const options = [];
  for (const title of input.poll.options) options.push({ id: await tx.nextId(), title });
  const expiresAt = input.now + input.poll.expiresInS * 1000;
  await tx.polls.create({
    id, statusId: input.statusId, accountId: input.accountId, options, expiresAt,
    multiple: input.poll.multiple, hideTotals: input.poll.hideTotals, now: input.now,
  });
  await tx.enqueue([endPollRequest(id, expiresAt, input.now)]);
  return id;
}

/**
 * Applies an edit's poll to a status that already has `current` (or none): changed options or a changed
 * `multiple` reset every vote, as Mastodon's UpdateStatusService does; otherwise the votes stay and the poll
 * takes the new settings and end. A null `poll` removes the poll. Runs in the edit's transaction; re-times the end job.
 */
export async function replacePoll(
  tx: Tx,
  input: {
    statusId: bigint;
    accountId: bigint;
    current: { id: bigint; options: readonly { title: string }[]; multiple: boolean } | null;
    poll: ValidPoll | null;
    now: number;
  },
): Promise<void> {
  const { current, poll, now } = input;
  if (poll === null) {
    if (current) await tx.polls.deleteByStatusId(input.statusId);
    return;
  }
  if (!current) {
    await createPoll(tx, { statusId: input.statusId, accountId: input.accountId, poll, now });
    return;
  }
  const expiresAt = now + poll.expiresInS * 1000;
  const same =
    current.multiple === poll.multiple &&
    current.options.length === poll.options.length &&
    current.options.every((o, i) => o.title === poll.options[i]);
  const settings = { expiresAt, multiple: poll.multiple, hideTotals: poll.hideTotals, now };
  if (same) await tx.polls.updateSettings(current.id, settings);
  else {
    const options = [];
    for (const title of poll.options) options.push({ id: await tx.nextId(), title });
    await tx.polls.resetOptions(current.id, { ...settings, options });
  }
  await tx.enqueue([endPollRequest(current.id, expiresAt, now)]);
}
