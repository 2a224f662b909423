import { storableText } from "./text-format.ts";

/** Mastodon's limits for local polls (PollOptionsValidator, PollExpirationValidator). */
export const POLL_MAX_OPTIONS = 4;
export const POLL_MAX_OPTION_CHARS = 50;
export const POLL_MIN_EXPIRATION_S = 300;
/** ActiveSupport's 1.month: 30.436875 days. */
export const POLL_MAX_EXPIRATION_S = 2_629_746;

/** A poll as a client asks for it (strings as forms send them; JSON values arrive as strings too). */
export interface PollRequest {
  readonly options: readonly string[];
  readonly expiresIn: string | undefined;
  readonly multiple: boolean;
  readonly hideTotals: boolean;
}

/** A poll that passed validation: trimmed options, its duration in whole seconds. */
export interface ValidPoll {
  readonly options: readonly string[];
  readonly expiresInS: number;
  readonly multiple: boolean;
  readonly hideTotals: boolean;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const graphemeLength = (text: string) => {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
};

/** Ruby's String#to_i: leading whitespace, an optional sign and the digits that follow; 0 when there are none. */
function rubyToI(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text.replaceAll("_", ""));
  return m ? Number.parseInt(m[1], 10) : 0;
}

/**
 * Validates a local poll as Mastodon does, with its messages (Rails names the attributes "Choices" and
 * "Deadline"): options are trimmed and blank ones dropped first; 2 to 4 distinct options of at most 50
 * characters (grapheme clusters); a duration of 5 minutes to a month. All failures are reported together,
 * joined as Rails joins full messages.
 */
export function validatePoll(request: PollRequest): { ok: true; poll: ValidPoll } | { ok: false; message: string } {
  const options = request.options.map((o) => storableText(o).trim()).filter((o) => o !== "");
  const errors: string[] = [];
  if (options.length === 0) errors.push("Choices can't be blank");
  if (options.length < 2) errors.push("Choices must have more than one item");
  if (options.length > POLL_MAX_OPTIONS) errors.push(`Choices can't contain more than ${POLL_MAX_OPTIONS} items`);
  if (options.some((o) => graphemeLength(o) > POLL_MAX_OPTION_CHARS))
    errors.push(`Choices cannot be longer than ${POLL_MAX_OPTION_CHARS} characters each`);
  if (new Set(options).size !== options.length) errors.push("Choices contain duplicate items");
  const raw = request.expiresIn?.trim() ?? "";
  const expiresInS = raw === "" ? null : rubyToI(raw);
  if (expiresInS === null) errors.push("Deadline can't be blank");
  else if (expiresInS > POLL_MAX_EXPIRATION_S) errors.push("Deadline is too far into the future");
  else if (expiresInS < POLL_MIN_EXPIRATION_S) errors.push("Deadline is too soon");
  if (errors.length > 0) return { ok: false, message: errors.join(", ") };
  return { ok: true, poll: { options, expiresInS: expiresInS!, multiple: request.multiple, hideTotals: request.hideTotals } };
}

/** Whether a poll has ended at `now` (a poll without an end never does). */
export function pollExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}
