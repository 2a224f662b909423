import { validatePoll, type PollRequest } from "../../domain/polls.ts";
import { isLanguageCode } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { storableText } from "../../domain/text-format.ts";
import type { StatusContent, StatusEditRecord } from "../../ports/repositories/interactions.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { checkStatusMedia, mediaAttributeChanges, type MediaAttributes } from "../media/attach-media.ts";
import { hasRemoteAudience } from "../federation/audience.ts";
import { federate } from "../federation/outbound.ts";
import { notify } from "../notifications/notify.ts";
import { streamStatusEditJob } from "../streaming/stream-jobs.ts";
import { replacePoll } from "../polls/create-poll.ts";
import { retagEditedStatus } from "../tags/record-tags.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";
import { resolveMentions, textProblem } from "./status-content.ts";

export interface EditStatusInput {
  readonly accountId: bigint;
  readonly statusId: bigint;
  readonly text: string | undefined;
  readonly spoilerText?: string;
  readonly sensitive?: boolean;
  readonly language?: string;
  /** The poll after the edit: null removes it (Mastodon's edit without `poll`); undefined leaves it as it is. */
  readonly poll?: PollRequest | null;
  /** The attachments after the edit, in order (Mastodon's edit replaces them: none sent removes them); undefined keeps them. */
  readonly mediaIds?: readonly string[];
  /** `media_attributes[]`: new descriptions and focal points of the attachments kept. */
  readonly mediaAttributes?: readonly MediaAttributes[];
}

const invalid = (message: string) => err<StatusError>({ kind: "invalid", message: `Validation failed: ${message}` });

const sameContent = (a: StatusContent, b: StatusContent) =>
  a.text === b.text && a.spoilerText === b.spoilerText && a.sensitive === b.sensitive && a.language === b.language;

/**
 * Edits one's own status as Mastodon's UpdateStatusService does: the text is validated as when posting, a
 * content warning forces `sensitive`, an unknown language keeps the current one, visibility never changes. The
 * first edit also stores the original as a revision, so the history starts with it. Mentions are resolved
 * again, hashtags recorded again (and the search entry refreshed); accounts that boosted the status get an
 * `update` notification, in the same transaction. An edit that changes nothing stores nothing. Others'
 * statuses: "not found" when invisible, else "forbidden".
 */
export async function editStatus(deps: StatusDeps, input: EditStatusInput): Promise<Result<StatusRecord, StatusError>> {
  const found = await findVisibleStatus(deps, input.statusId, input.accountId);
  if (!found) return err({ kind: "not_found" });
  const { status, author } = found;
  if (status.accountId !== input.accountId || status.reblogOfId !== null) return err({ kind: "forbidden" });
  const text = storableText(input.text ?? "");
  const spoilerText = storableText(input.spoilerText ?? "");
  const media = input.mediaIds === undefined ? null : await checkStatusMedia(deps.db.repos, input.accountId, input.mediaIds, { hasPoll: !!input.poll, statusId: status.id });
  if (media && "problem" in media) return err({ kind: "invalid", message: media.problem });
  const previousMedia = (status.mediaAttachmentIds ?? []).map(String);
  const nextMedia = media ? media.media.map((m) => String(m.id)) : previousMedia;
  const problem = textProblem(text, spoilerText, nextMedia.length > 0, deps.maxStatusChars);
  if (problem) return invalid(problem);
  const attributeChanges = media ? mediaAttributeChanges(media.media, input.mediaAttributes ?? []) : [];
  const mediaChanges = nextMedia.join(",") !== previousMedia.join(",") || attributeChanges.length > 0;
  const poll = input.poll ? validatePoll(input.poll) : null;
  if (poll && !poll.ok) return invalid(poll.message);
  // Also read when the poll stays: each revision records the poll options it shows.
  const currentPoll = (await deps.db.repos.polls.findByStatusIds([status.id])).get(status.id);
  const currentOptions = currentPoll ? currentPoll.options.map((o) => o.title) : null;
  // Any poll sent starts its duration again, so it always changes the status, as in Mastodon.
  const pollChanges = input.poll !== undefined && (poll !== null || currentPoll !== undefined);
  const content: StatusContent = {
    text,
    spoilerText,
    sensitive: spoilerText !== "" || (input.sensitive ?? false),
    language: input.language && isLanguageCode(input.language) ? input.language : status.language,
  };
  if (sameContent(content, status) && !pollChanges && !mediaChanges) return ok(status);
  const mentions = await resolveMentions(deps, author, text);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if ((await tx.interactions.editsOf(status.id)).length === 0)
      await tx.interactions.addEdit({ ...snapshot(status, currentOptions), id: await tx.nextId(), createdAt: status.createdAt });
    await tx.interactions.updateContent(status.id, content, now);
    await tx.interactions.addEdit({
      ...content, id: await tx.nextId(), statusId: status.id, accountId: status.accountId, createdAt: now,
      mediaAttachmentIds: nextMedia.map((id) => BigInt(id)),
      pollOptions: pollChanges ? (poll?.ok ? poll.poll.options : null) : currentOptions,
    });
    const before = new Set((await tx.statuses.mentionsOf([status.id])).get(status.id) ?? []);
    const rows = [];
    for (const m of mentions) rows.push({ id: await tx.nextId(), accountId: m.id });
    await tx.interactions.replaceMentions(status.id, rows);
    // Accounts an edit newly mentions are told, as Mastodon's ProcessMentionsService does on update.
    const added = mentions.filter((m) => !before.has(m.id));
    await notify(tx, now, added.map((m) => ({ type: "mention" as const, recipientId: m.id, fromAccountId: status.accountId, statusId: status.id })));
    if (media && mediaChanges) {
      await tx.media.replaceAttachments(status.id, status.accountId, media.media.map((m) => m.id));
      for (const change of attributeChanges) await tx.media.updateDetails(change.id, change, now);
    }
    if (pollChanges)
      await replacePoll(tx, { statusId: status.id, accountId: status.accountId, current: currentPoll ?? null, poll: poll?.ok ? poll.poll : null, now });
    await retagEditedStatus(tx, { id: status.id, text, visibility: status.visibility }, now);
    const boosts = await tx.interactions.reblogIdsOf(status.id);
    await notify(tx, now, boosts.map((b) => ({ type: "update" as const, recipientId: b.accountId, fromAccountId: status.accountId, statusId: status.id })));
    await tx.enqueue([jobRequest(streamStatusEditJob, { statusId: String(status.id) })]);
    // Those mentioned before the edit saw the old version: they hear of the new one too.
    if (author.domain === null && (await hasRemoteAudience(tx, status, [...before, ...mentions])))
      await federate(tx, { type: "update", statusId: String(status.id) });
  });
  return ok((await deps.db.repos.statuses.findById(status.id)) ?? status);
}

/** A status's current content as a revision (not stored), with its attachments and its poll's options. */
function snapshot(status: StatusRecord, pollOptions: readonly string[] | null): StatusEditRecord {
  return {
    id: status.id, statusId: status.id, accountId: status.accountId, text: status.text, spoilerText: status.spoilerText,
    sensitive: status.sensitive, language: status.language, createdAt: status.editedAt ?? status.createdAt,
    mediaAttachmentIds: status.mediaAttachmentIds, pollOptions,
  };
}

/**
 * GET /statuses/:id/history: the revisions of a status the viewer may see, oldest first, the original
 * included; a status never edited has one, its current version. Null when the viewer may not see it.
 */
export async function statusHistory(deps: StatusDeps, viewerId: bigint | null, statusId: bigint): Promise<{ status: StatusRecord; edits: StatusEditRecord[] } | null> {
  const found = await findVisibleStatus(deps, statusId, viewerId);
  if (!found) return null;
  const edits = await deps.db.repos.interactions.editsOf(found.status.id);
  if (edits.length > 0) return { status: found.status, edits };
  const poll = (await deps.db.repos.polls.findByStatusIds([found.status.id])).get(found.status.id);
  return { status: found.status, edits: [snapshot(found.status, poll ? poll.options.map((o) => o.title) : null)] };
}
