import { pollExpired } from "../../../domain/polls.ts";
import type { PollRecord } from "../../../ports/repositories/polls.ts";

/** The polls of a page of statuses, and what the signed-in viewer chose in them. */
export interface PollBundle {
  /** By status id. */
  readonly byStatus: ReadonlyMap<bigint, PollRecord>;
  /** The viewer's choices, by poll id. */
  readonly choices: ReadonlyMap<bigint, readonly number[]>;
  /** When the page is rendered (decides `expired`). */
  readonly now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Mastodon's Poll entity. With hide_totals, each option's count is null until the poll ends (the totals stay).
 * `voted` and `own_votes` appear for a signed-in viewer; an author counts as having voted on their own poll,
 * as Mastodon's Poll#voted? says.
 */
export function renderPoll(poll: PollRecord, now: number, viewer: { accountId: bigint; choices: readonly number[] } | null): Record<string, unknown> {
  const expired = pollExpired(poll.expiresAt, now);
  const showTotals = expired || !poll.hideTotals;
  const out: Record<string, unknown> = {
    id: String(poll.id),
    expires_at: poll.expiresAt === null ? null : iso(poll.expiresAt),
    expired,
    multiple: poll.multiple,
    votes_count: poll.votesCount,
    voters_count: poll.votersCount,
  };
  if (viewer) {
    out.voted = viewer.accountId === poll.accountId || viewer.choices.length > 0;
    out.own_votes = [...viewer.choices];
  }
  out.options = poll.options.map((o) => ({ title: o.title, votes_count: showTotals ? o.votesCount : null }));
  out.emojis = [];
  return out;
}

/** The `poll` of status `statusId` as its Status entity shows it (null when it has none). */
export function statusPoll(polls: PollBundle, statusId: bigint, viewerId: bigint | null): Record<string, unknown> | null {
  const poll = polls.byStatus.get(statusId);
  if (!poll) return null;
  return renderPoll(poll, polls.now, viewerId === null ? null : { accountId: viewerId, choices: polls.choices.get(poll.id) ?? [] });
}
