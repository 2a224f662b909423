import { validatePoll, type PollRequest } from "../../domain/polls.ts";
import { defaultVisibility, isLanguageCode, type Visibility } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { storableText } from "../../domain/text-format.ts";
import { isVisibility } from "../../domain/visibility.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { hasRemoteAudience } from "../federation/audience.ts";
import { federate } from "../federation/outbound.ts";
import { notify } from "../notifications/notify.ts";
import { statusNotifiesFollowers } from "../notifications/status-notifications.ts";
import { checkStatusMedia } from "../media/attach-media.ts";
import { createPoll } from "../polls/create-poll.ts";
import { claimScheduledStatus } from "../scheduled/claim.ts";
import { tagNewStatus } from "../tags/record-tags.ts";
import { fanOutStatusJob } from "../timelines/feed-jobs.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";
import { resolveMentions, textProblem } from "./status-content.ts";
import { countsTowardsProfile, repliesCountable } from "./status-counters.ts";

export interface PostStatusInput {
  readonly accountId: bigint;
  readonly applicationId: bigint | null;
  readonly text: string | undefined;
  readonly spoilerText?: string;
  readonly sensitive?: boolean;
  readonly visibility?: string;
  readonly language?: string;
  readonly inReplyToId?: bigint;
  /** The Idempotency-Key header, if any. */
  readonly idempotencyKey?: string;
  /** A poll to attach (validated as Mastodon validates local polls). */
  readonly poll?: PollRequest;
  /** Publishing this scheduled status: its row is deleted in the creating transaction (exactly once). */
  readonly scheduledStatusId?: bigint;
  /** `media_ids[]`: the author's own unattached, processed uploads, at most 4, in display order. */
  readonly mediaIds?: readonly string[];
}

// Mastodon keeps idempotency keys for an hour.
const IDEMPOTENCY_TTL_MS = 3_600_000;
const PENDING = "pending";

const invalid = (message: string) => err<StatusError>({ kind: "invalid", message: `Validation failed: ${message}` });

async function validate(deps: StatusDeps, author: AccountRecord, input: PostStatusInput) {
  const text = storableText(input.text ?? "");
  const spoilerText = storableText(input.spoilerText ?? "");
  const problem = textProblem(text, spoilerText, (input.mediaIds?.length ?? 0) > 0, deps.maxStatusChars);
  if (problem) return invalid(problem);
  const media = await checkStatusMedia(deps.db.repos, author.id, input.mediaIds ?? [], { hasPoll: input.poll !== undefined });
  if ("problem" in media) return err<StatusError>({ kind: "invalid", message: media.problem });
  const poll = input.poll ? validatePoll(input.poll) : null;
  if (poll && !poll.ok) return invalid(poll.message);
  const settings = author.user?.settings ?? {};
  let visibility: Visibility = defaultVisibility(settings, author.locked);
  if (input.visibility !== undefined && input.visibility !== "") {
    if (!isVisibility(input.visibility)) return invalid("Visibility is not included in the list");
    visibility = input.visibility;
  }
  // An unknown language falls back to the default, as Mastodon's language_from_option does.
  const language = input.language && isLanguageCode(input.language) ? input.language : (settings.default_language ?? null);
  let parent: StatusRecord | null = null;
  if (input.inReplyToId !== undefined) {
    parent = (await findVisibleStatus(deps, input.inReplyToId, author.id))?.status ?? null;
    if (!parent) return err<StatusError>({ kind: "not_found" });
  }
  // Mastodon forces the sensitive flag when there is a content warning.
  const sensitive = spoilerText !== "" || (input.sensitive ?? settings.default_sensitive ?? false);
  return ok({ text, spoilerText, visibility, language, parent, sensitive, poll: poll?.ok ? poll.poll : null, mediaIds: media.media.map((m) => m.id) });
}

/** Checks a post as postStatus would, without writing it (scheduling refuses at once what could not be posted). */
export async function validatePost(deps: StatusDeps, input: PostStatusInput): Promise<Result<{ visibility: Visibility; mediaIds: bigint[] }, StatusError>> {
  const author = await deps.db.repos.accounts.findById(input.accountId);
  if (!author) return err({ kind: "not_found" });
  const valid = await validate(deps, author, input);
  return valid.ok ? ok({ visibility: valid.value.visibility, mediaIds: valid.value.mediaIds }) : valid;
}

/** A status just posted: its id, and what its transaction stored (absent when an earlier post with the same key answers). */
export interface PostedStatus {
  readonly id: bigint;
  readonly stored?: StoredStatus;
}

/** A new status as its transaction stored it, for a caller that shows it at once without reading it back. */
export interface StoredStatus {
  readonly status: StatusRecord;
  /** The accounts it mentions, in the order the mentions were stored. */
  readonly mentions: readonly bigint[];
  /** Its hashtags, in the order tags.tagsOf reads them. */
  readonly tags: readonly TagRecord[];
  readonly hasPoll: boolean;
  /**
   * The author as this request read it, with the counts the post left (absent when it changed none: a direct
   * post). For showing this status only: other fields may have changed since the read, so it is not cached.
   */
  readonly author?: AccountRecord;
}

async function create(deps: StatusDeps, author: AccountRecord, input: PostStatusInput): Promise<Result<PostedStatus, StatusError>> {
  const valid = await validate(deps, author, input);
  if (!valid.ok) return valid;
  const { text, spoilerText, visibility, language, parent, sensitive, poll, mediaIds } = valid.value;
  const mentions = await resolveMentions(deps, author, text);
  const now = deps.clock.now();
  const stored = await deps.db.transaction(async (tx): Promise<StoredStatus> => {
    const id = await tx.nextId();
    const row = await tx.statuses.create({
      id, accountId: author.id, text, spoilerText, visibility, sensitive, language,
      inReplyToId: parent?.id ?? null, inReplyToAccountId: parent?.accountId ?? null, applicationId: input.applicationId,
      conversationId: parent ? (parent.conversationId ?? parent.id) : id, now,
    });
    if (input.scheduledStatusId !== undefined) await claimScheduledStatus(tx, input.scheduledStatusId);
    if (poll) await createPoll(tx, { statusId: id, accountId: author.id, poll, now });
    // attach keeps only the uploads this status won (a concurrent post may take one first): with any, the row is
    // read back below for its final attachment list.
    const attached = mediaIds.length > 0 && (await tx.media.attach(id, author.id, mediaIds)) > 0;
    const rows = [];
    for (const m of mentions) rows.push({ id: await tx.nextId(), accountId: m.id });
    await tx.statuses.addMentions(id, rows);
    const counts = countsTowardsProfile(visibility) ? await tx.statuses.addAccountStatuses(author.id, 1, now) : null;
    if (parent && repliesCountable(visibility)) await tx.statuses.addReplies(parent.id, 1);
    await notify(tx, now, mentions.map((m) => ({ type: "mention" as const, recipientId: m.id, fromAccountId: author.id, statusId: id })));
    const thread = { visibility, reblogOfId: null, inReplyToId: parent?.id ?? null, inReplyToAccountId: parent?.accountId ?? null, accountId: author.id };
    const { tagFeeds, tags } = await tagNewStatus(tx, { id, text, visibility }, now);
    await tx.enqueue([jobRequest(fanOutStatusJob, { statusId: String(id), index: true, tagFeeds, notifyFollowers: statusNotifiesFollowers(thread) })]);
    const audience = { accountId: author.id, inReplyToAccountId: parent?.accountId ?? null, visibility };
    if (await hasRemoteAudience(tx, audience, mentions, counts ? { remoteFollowers: counts.hasRemoteFollowers } : {}))
      await federate(tx, { type: "create", statusId: String(id) });
    const status = attached ? await tx.statuses.findById(id) : row;
    return {
      status: status ?? row, mentions: mentions.map((m) => m.id), tags, hasPoll: poll !== null,
      ...(counts ? { author: { ...author, statusesCount: counts.statusesCount, lastStatusAt: counts.lastStatusAt } } : {}),
    };
  });
  await forgetAccounts(deps.cache, [author.id]);
  return ok({ id: stored.status.id, stored });
}

async function waitForKey(deps: StatusDeps, key: string): Promise<string | null> {
  for (let i = 0; i < 50; i++) {
    const value = await deps.cache.get(key);
    if (value !== PENDING) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return PENDING;
}

/**
 * Posts a status: validates (blank text, 500 characters counted as Mastodon counts, visibility, reply target
 * visible to the author), then writes the status, its mentions and the counters in one transaction. With an
 * Idempotency-Key, the same key from the same account within an hour answers the status posted first.
 * Returns the new status's id.
 */
export async function postStatus(deps: StatusDeps, input: PostStatusInput): Promise<Result<bigint, StatusError>> {
  const posted = await postStatusStored(deps, input);
  return posted.ok ? ok(posted.value.id) : posted;
}

/**
 * postStatus, also returning the new status as stored (PostedStatus.stored) for a caller that shows it at once.
 * `knownAuthor`: the author's record as the caller read it for this request, spared a second read.
 */
export async function postStatusStored(deps: StatusDeps, input: PostStatusInput, knownAuthor?: AccountRecord): Promise<Result<PostedStatus, StatusError>> {
  const author = knownAuthor?.id === input.accountId ? knownAuthor : await deps.db.repos.accounts.findById(input.accountId);
  if (!author) return err({ kind: "not_found" });
  if (!input.idempotencyKey) return create(deps, author, input);
  const key = `idempotency:status:${author.id}:${input.idempotencyKey}`;
  if (!(await deps.cache.setIfAbsent(key, PENDING, IDEMPOTENCY_TTL_MS))) {
    const existing = await waitForKey(deps, key);
    if (existing === PENDING) return err({ kind: "conflict", message: "A request with this Idempotency-Key is still being processed" });
    if (existing !== null) return ok({ id: BigInt(existing) });
    return postStatusStored(deps, input, author);
  }
  try {
    const result = await create(deps, author, input);
    if (result.ok) await deps.cache.set(key, String(result.value.id), IDEMPOTENCY_TTL_MS);
    else await deps.cache.delete(key);
    return result;
  } catch (error) {
    await deps.cache.delete(key);
    throw error;
  }
}
