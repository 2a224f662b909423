import { validatePoll } from "../../domain/polls.ts";
import { isLanguageCode } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { storableText } from "../../domain/text-format.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { ScheduledStatusParams, ScheduledStatusRecord } from "../../ports/repositories/scheduled-statuses.ts";
import type { StatusDeps, StatusError } from "../statuses/deps.ts";
import { validatePost, type PostStatusInput } from "../statuses/post-status.ts";
import { publishScheduledStatusJob } from "./scheduled-jobs.ts";

/** Mastodon's ScheduledStatus limits and PostStatusService::MIN_SCHEDULE_OFFSET. */
export const SCHEDULED_TOTAL_LIMIT = 300;
export const SCHEDULED_DAILY_LIMIT = 25;
export const MIN_SCHEDULE_OFFSET_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export interface ScheduleStatusInput extends PostStatusInput {
  /** ms since the epoch. */
  readonly scheduledAt: number;
  /** Media attachment ids, kept in the params for publishing. */
  readonly mediaIds?: readonly string[];
}

/** The job that publishes a scheduled status at `scheduledAt`, delayed until then. */
function publishRequest(id: bigint, scheduledAt: number, now: number) {
  return jobRequest(publishScheduledStatusJob, { scheduledStatusId: String(id) }, { delayMs: Math.max(0, scheduledAt - now) });
}

/**
 * Mastodon's ScheduledStatus validations (future date, total and daily limits), all failures joined. Takes the
 * account's row lock first, so concurrent requests count one after another and cannot pass a limit together.
 */
async function limitErrors(tx: Tx, accountId: bigint, scheduledAt: number, now: number, excluding?: ScheduledStatusRecord): Promise<string[]> {
  await tx.accounts.lockForUpdate(accountId);
  const errors: string[] = [];
  if (scheduledAt <= now + MIN_SCHEDULE_OFFSET_MS) errors.push("Scheduled at The scheduled date must be in the future");
  if (!excluding && (await tx.scheduledStatuses.countByAccount(accountId)) >= SCHEDULED_TOTAL_LIMIT)
    errors.push(`You have exceeded the limit of ${SCHEDULED_TOTAL_LIMIT} scheduled posts`);
  // Mastodon counts the scheduled posts of the same (UTC) date.
  const from = Math.floor(scheduledAt / DAY_MS) * DAY_MS;
  let sameDay = await tx.scheduledStatuses.countByAccount(accountId, { from, to: from + DAY_MS });
  if (excluding && excluding.scheduledAt >= from && excluding.scheduledAt < from + DAY_MS) sameDay--;
  if (sameDay >= SCHEDULED_DAILY_LIMIT) errors.push(`You have exceeded the limit of ${SCHEDULED_DAILY_LIMIT} scheduled posts for today`);
  return errors;
}

class LimitsExceeded extends Error {}

// Mastodon keeps idempotency keys for an hour, for scheduled posts as for others.
const IDEMPOTENCY_TTL_MS = 3_600_000;
const PENDING = "pending";

/**
 * Schedules a status for `scheduledAt` (at least 5 minutes ahead), as Mastodon's PostStatusService does: the
 * post is validated now as if it were published (text, visibility, reply target, poll), then its parameters
 * are stored with the job that publishes it, in one transaction that also checks the limits (300 waiting, 25
 * on one day). The poll's duration starts at publication. With an Idempotency-Key, the same key from the same
 * account within an hour answers the scheduled status made first.
 */
export async function scheduleStatus(deps: StatusDeps, input: ScheduleStatusInput): Promise<Result<ScheduledStatusRecord, StatusError>> {
  if (!input.idempotencyKey) return schedule(deps, input);
  const key = `idempotency:scheduled:${input.accountId}:${input.idempotencyKey}`;
  if (!(await deps.cache.setIfAbsent(key, PENDING, IDEMPOTENCY_TTL_MS))) {
    const existing = await deps.cache.get(key);
    if (existing === PENDING) return err({ kind: "conflict", message: "A request with this Idempotency-Key is still being processed" });
    if (existing === null) return scheduleStatus(deps, input);
    // Published or cancelled since: Mastodon's lookup of the first one finds nothing.
    const found = await findScheduledStatus(deps, input.accountId, BigInt(existing));
    return found ? ok(found) : err({ kind: "not_found" });
  }
  try {
    const result = await schedule(deps, input);
    if (result.ok) await deps.cache.set(key, String(result.value.id), IDEMPOTENCY_TTL_MS);
    else await deps.cache.delete(key);
    return result;
  } catch (error) {
    await deps.cache.delete(key);
    throw error;
  }
}

async function schedule(deps: StatusDeps, input: ScheduleStatusInput): Promise<Result<ScheduledStatusRecord, StatusError>> {
  const valid = await validatePost(deps, input);
  if (!valid.ok) return valid;
  const poll = input.poll ? validatePoll(input.poll) : null;
  const params: ScheduledStatusParams = {
    text: storableText(input.text ?? ""),
    spoiler_text: input.spoilerText === undefined ? null : storableText(input.spoilerText),
    sensitive: input.sensitive ?? null,
    visibility: valid.value.visibility,
    language: input.language && isLanguageCode(input.language) ? input.language : null,
    in_reply_to_id: input.inReplyToId === undefined ? null : String(input.inReplyToId),
    // The checked ids, in order (validatePost dropped duplicates), as postStatus will attach them.
    media_ids: valid.value.mediaIds.length > 0 ? valid.value.mediaIds.map(String) : null,
    poll: poll?.ok
      ? { options: poll.poll.options, expires_in: poll.poll.expiresInS, multiple: poll.poll.multiple, hide_totals: poll.poll.hideTotals }
      : null,
    application_id: input.applicationId === null ? null : String(input.applicationId),
  };
  const now = deps.clock.now();
  let errors: string[] = [];
  try {
    const record = await deps.db.transaction(async (tx) => {
      errors = await limitErrors(tx, input.accountId, input.scheduledAt, now);
      if (errors.length > 0) throw new LimitsExceeded();
      const id = await tx.nextId();
      await tx.scheduledStatuses.create({ id, accountId: input.accountId, scheduledAt: input.scheduledAt, params, now });
      await tx.media.reserveForScheduled(id, input.accountId, valid.value.mediaIds);
      await tx.enqueue([publishRequest(id, input.scheduledAt, now)]);
      return { id, accountId: input.accountId, scheduledAt: input.scheduledAt, params, createdAt: now };
    });
    return ok(record);
  } catch (error) {
    if (error instanceof LimitsExceeded) return err({ kind: "invalid", message: `Validation failed: ${errors.join(", ")}` });
    throw error;
  }
}

/** One of `accountId`'s scheduled statuses, or null (another account's is as unknown as a missing one). */
export async function findScheduledStatus(deps: Pick<StatusDeps, "db">, accountId: bigint, id: bigint): Promise<ScheduledStatusRecord | null> {
  const found = await deps.db.repos.scheduledStatuses.findById(id);
  return found && found.accountId === accountId ? found : null;
}

/**
 * Moves a scheduled status to `scheduledAt` (same checks as scheduling, not counting itself), with a new
 * publishing job in the same transaction; the old job finds the new time and does nothing. Without a time
 * (Mastodon permits an empty update) it changes nothing.
 */
export async function rescheduleStatus(
  deps: StatusDeps,
  accountId: bigint,
  id: bigint,
  scheduledAt: number | undefined,
): Promise<Result<ScheduledStatusRecord, StatusError>> {
  const current = await findScheduledStatus(deps, accountId, id);
  if (!current) return err({ kind: "not_found" });
  if (scheduledAt === undefined) return ok(current);
  const now = deps.clock.now();
  let errors: string[] = [];
  try {
    const moved = await deps.db.transaction(async (tx) => {
      errors = await limitErrors(tx, accountId, scheduledAt, now, current);
      if (errors.length > 0) throw new LimitsExceeded();
      if (!(await tx.scheduledStatuses.reschedule(id, scheduledAt))) return false;
      await tx.enqueue([publishRequest(id, scheduledAt, now)]);
      return true;
    });
    return moved ? ok({ ...current, scheduledAt }) : err({ kind: "not_found" });
  } catch (error) {
    if (error instanceof LimitsExceeded) return err({ kind: "invalid", message: `Validation failed: ${errors.join(", ")}` });
    throw error;
  }
}

/** Cancels one of `accountId`'s scheduled statuses; its uploads become unattached ones again (the day-old cleanup takes them). */
export async function cancelScheduledStatus(deps: Pick<StatusDeps, "db">, accountId: bigint, id: bigint): Promise<Result<void, StatusError>> {
  const current = await findScheduledStatus(deps, accountId, id);
  if (!current) return err({ kind: "not_found" });
  const deleted = await deps.db.transaction(async (tx) => {
    if (!(await tx.scheduledStatuses.delete(id))) return false;
    await tx.media.releaseScheduled(id);
    return true;
  });
  return deleted ? ok(undefined) : err({ kind: "not_found" });
}
