import { pollExpired } from "../../domain/polls.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { PollRecord } from "../../ports/repositories/polls.ts";
import { federate } from "../federation/outbound.ts";
import { findVisibleStatus } from "../statuses/read-statuses.ts";
import type { PollDeps, PollError } from "./deps.ts";

/** Mastodon's polls.errors messages. */
const ENDED = "The poll has already ended";
const NO_SUCH_CHOICE = "The chosen vote option does not exist";
const SELF_VOTE = "You cannot vote in your own polls";
const ALREADY_VOTED = "You have already voted on this poll";

const invalid = (messages: readonly string[]) => err<PollError>({ kind: "invalid", message: `Validation failed: ${messages.join(", ")}` });

/** Thrown inside the vote transaction to roll it back with Mastodon's message. */
class VoteRefused extends Error {
  readonly messages: readonly string[];
  constructor(messages: readonly string[]) {
    super(messages.join(", "));
    this.messages = messages;
  }
}

/** A poll with its status, when `viewerId` (null = anonymous) may see the status per the visibility policy. */
export async function findVisiblePoll(deps: PollDeps, pollId: bigint, viewerId: bigint | null): Promise<PollRecord | null> {
  const poll = await deps.db.repos.polls.findById(pollId);
  if (!poll) return null;
  return (await findVisibleStatus(deps, poll.statusId, viewerId)) ? poll : null;
}

/** Ruby's Integer(): a whole decimal number (surrounding blanks allowed), else null. */
function integerChoice(raw: string): number | null {
  const t = raw.trim();
  return /^[+-]?\d{1,9}$/.test(t) ? Number.parseInt(t, 10) : null;
}

/**
 * The errors Mastodon's VoteValidator gives each vote in turn (the first failing vote's are reported): ended,
 * no such option, own poll, and a repeat (any earlier vote on a single-choice poll; the same option on a
 * multiple-choice one, counting the votes earlier in this request).
 */
function voteErrors(poll: PollRecord, voterId: bigint, choices: readonly (number | null)[], existing: readonly number[], now: number): string[] {
  const taken = [...existing];
  for (const choice of choices) {
    const errors: string[] = [];
    if (pollExpired(poll.expiresAt, now)) errors.push(ENDED);
    if (choice === null || choice < 0 || choice >= poll.options.length) errors.push(NO_SUCH_CHOICE);
    if (poll.accountId === voterId) errors.push(SELF_VOTE);
    if (poll.multiple ? choice !== null && taken.includes(choice) : taken.length > 0) errors.push(ALREADY_VOTED);
    if (errors.length > 0) return errors;
    taken.push(choice!);
  }
  return [];
}

/**
 * Votes on a poll as Mastodon's VoteService does: `choices` are option indexes (as the request gives them);
 * none at all changes nothing. The totals, each option's tally and the voter count change by atomic increments
 * in one transaction that first locks the poll's row, so concurrent votes count exactly and a poll that ends
 * meanwhile refuses the vote. Returns the poll as it is after the vote.
 */
export async function voteOnPoll(deps: PollDeps, voterId: bigint, pollId: bigint, rawChoices: readonly string[]): Promise<Result<PollRecord, PollError>> {
  const poll = await deps.db.repos.polls.findById(pollId);
  if (!poll) return err({ kind: "not_found" });
  const found = await findVisibleStatus(deps, poll.statusId, voterId);
  if (!found) return err({ kind: "not_found" });
  if (rawChoices.length === 0) return ok(poll);
  if (found.author.id !== voterId && (await deps.db.repos.relationships.blocksBetween(voterId, found.author.id)).aBlocksB)
    return err({ kind: "forbidden" });
  const choices = rawChoices.map(integerChoice);
  const now = deps.clock.now();
  const early = voteErrors(poll, voterId, choices, (await deps.db.repos.polls.choicesOf(voterId, [poll.id])).get(poll.id) ?? [], now);
  if (early.length > 0) return invalid(early);
  const chosen = choices as number[];
  const remote = found.author.domain !== null && (await deps.db.repos.accounts.findById(voterId))?.domain === null;
  try {
    await deps.db.transaction(async (tx) => {
      if (!(await tx.polls.openForVoting(poll.id, chosen.length, now))) throw new VoteRefused([ENDED]);
      // The poll's row is locked from here on: the votes read now are every vote committed before this one.
      const existing = (await tx.polls.choicesOf(voterId, [poll.id])).get(poll.id) ?? [];
      const errors = voteErrors(poll, voterId, chosen, existing, now);
      if (errors.length > 0) throw new VoteRefused(errors);
      const votes = [];
      for (const choice of chosen) votes.push({ id: await tx.nextId(), choice });
      await tx.polls.addVotes(poll.id, voterId, votes, now);
      await tx.polls.addOptionVotes(poll.id, chosen);
      if (existing.length === 0) await tx.polls.addVoter(poll.id);
      // A remote poll's tally is its server's: the votes go there (one Note per choice).
      if (remote) await federate(tx, { type: "vote", accountId: String(voterId), pollId: String(poll.id), choices: chosen });
    });
  } catch (error) {
    if (error instanceof VoteRefused) return invalid(error.messages);
    throw error;
  }
  const after = await deps.db.repos.polls.findById(poll.id);
  return after ? ok(after) : err({ kind: "not_found" });
}
