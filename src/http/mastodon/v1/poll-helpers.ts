import type { PollRequest } from "../../../domain/polls.ts";
import type { Repositories } from "../../../ports/repositories/index.ts";
import { HttpError } from "../../errors.ts";
import { bool, list, str, type Params } from "../params.ts";
import type { PollBundle } from "../serializers/poll.ts";

const NO_POLLS: PollBundle["byStatus"] = new Map();
const NO_CHOICES: PollBundle["choices"] = new Map();

/**
 * Loads the polls of a page's statuses (boosted ones included, when the caller passes them) and the viewer's
 * choices: one query for a page without polls, three with.
 */
export async function loadPolls(repos: Repositories, statusIds: readonly bigint[], viewerId: bigint | null, now: number): Promise<PollBundle> {
  const byStatus = statusIds.length === 0 ? NO_POLLS : await repos.polls.findByStatusIds(statusIds);
  const pollIds = [...byStatus.values()].map((p) => p.id);
  const choices = viewerId === null || pollIds.length === 0 ? NO_CHOICES : await repos.polls.choicesOf(viewerId, pollIds);
  return { byStatus, choices, now };
}

/**
 * The `poll` parameter of a new status (form: poll[options][]=a&poll[expires_in]=300; JSON: poll: {…}), or
 * undefined when absent, null or empty. A poll cannot go with media: Mastodon refuses the pair with its
 * too-many-files message.
 */
export function pollParam(params: Params): PollRequest | undefined {
  const poll = params.poll;
  if (poll === undefined || typeof poll === "string" || poll instanceof File || Array.isArray(poll) || Object.keys(poll).length === 0) return undefined;
  if (list(params, "media_ids").length > 0) throw new HttpError(422, "Cannot attach more than 4 files");
  return {
    options: list(poll, "options"),
    expiresIn: str(poll, "expires_in"),
    multiple: bool(poll, "multiple") ?? false,
    hideTotals: bool(poll, "hide_totals") ?? false,
  };
}
