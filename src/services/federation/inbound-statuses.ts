import type { Focus, MediaType } from "../../domain/media.ts";
import { isLanguageCode, type Visibility } from "../../domain/profile.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { MediaMeta, MediaRecord } from "../../ports/repositories/media.ts";
import type { PollRecord } from "../../ports/repositories/polls.ts";
import type { StatusContent, StatusEditRecord } from "../../ports/repositories/interactions.ts";
import type { NewStatus, StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { notify } from "../notifications/notify.ts";
import { endRemotePollRequest, REMOTE_POLL_END_DELAY_MS } from "../polls/remote-poll-jobs.ts";
import { statusNotifiesFollowers } from "../notifications/status-notifications.ts";
import { isAvailable } from "../relationships/follow.ts";
import { storeRemoteEmojis, type RemoteEmojiInput } from "../emojis/remote-emojis.ts";
import { removeStatus } from "../statuses/delete-status.ts";
import { countsTowardsProfile, repliesCountable } from "../statuses/status-counters.ts";
import { streamStatusEditJob } from "../streaming/stream-jobs.ts";
import { retagEditedStatus, tagNewStatus } from "../tags/record-tags.ts";
import { distributeStatus, type CreatedStatus } from "../timelines/distribute-status.ts";
import { fanOutStatusJob, type FanOutExtras } from "../timelines/feed-jobs.ts";
import type { InboundDeps } from "./deps.ts";

/** A remote attachment as its Document describes it. */
export interface RemoteMediaInput {
  readonly remoteUrl: string;
  readonly contentType: string | null;
  readonly description: string | null;
  readonly blurhash: string | null;
  readonly focus: Focus | null;
  readonly width: number | null;
  readonly height: number | null;
}

/** A remote poll (Question) with the tallies its server reports. */
export interface RemotePollInput {
  readonly options: readonly { readonly title: string; readonly votesCount: number }[];
  readonly multiple: boolean;
  /** ms since the epoch; null: never ends. */
  readonly expiresAt: number | null;
  readonly votersCount: number | null;
}

/** A remote Note or Question, translated from ActivityStreams by the inbox (HTML already sanitized). */
export interface RemoteStatusInput {
  readonly authorId: bigint;
  /** The author's record, when the caller has just read it (spares reading it again). */
  readonly author?: AccountRecord;
  readonly uri: string;
  readonly url: string | null;
  /** Sanitized HTML. */
  readonly html: string;
  /** Plain text. */
  readonly spoilerText: string;
  readonly visibility: Visibility;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly inReplyToId: bigint | null;
  /** Accounts the status mentions (local, and remote ones already known). */
  readonly mentionIds: readonly bigint[];
  /** Hashtag names, without the #. */
  readonly tags: readonly string[];
  readonly media: readonly RemoteMediaInput[];
  readonly poll: RemotePollInput | null;
  readonly createdAt: number;
  readonly editedAt: number | null;
  readonly conversationUri: string | null;
  /** The custom emojis the post tags (absent: none). */
  readonly emojis?: readonly RemoteEmojiInput[];
}

/** Mastodon keeps at most four attachments of a remote status. */
const MAX_MEDIA = 4;
/** Polls of more options than this are cut (Mastodon's remote limit is generous; rendering is not). */
const MAX_POLL_OPTIONS = 20;

/** The attachment type a remote Document's media type names (Mastodon's type from the file comes when it is cached). */
function mediaTypeOf(contentType: string | null): MediaType {
  const t = (contentType ?? "").toLowerCase();
  if (t === "image/gif") return "gifv";
  if (t.startsWith("image/")) return "image";
  if (t.startsWith("video/")) return "video";
  if (t.startsWith("audio/")) return "audio";
  return "unknown";
}

function metaOf(m: RemoteMediaInput): MediaMeta {
  const meta: MediaMeta = {};
  if (m.focus) meta.focus = m.focus;
  if (m.width && m.height && m.width > 0 && m.height > 0)
    meta.original = { width: m.width, height: m.height, size: `${m.width}x${m.height}`, aspect: m.width / m.height };
  return meta;
}

/**
 * The hashtags to record, as a text tagNewStatus can read: remote statuses store HTML, whose hashtag links the
 * local text parser cannot see, so the Note's Hashtag tags are handed over instead.
 */
function tagText(tags: readonly string[]): string {
  return tags.map((t) => `#${t.replace(/^#/, "")}`).join(" ");
}

/** Stores the remote attachments (not yet fetched: the cache fills on the pull queue) and attaches them. */
async function attachRemoteMedia(tx: Tx, statusId: bigint, authorId: bigint, media: readonly RemoteMediaInput[], now: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const m of media.slice(0, MAX_MEDIA)) {
    const id = await tx.nextId();
    await tx.remoteMedia.create({
      id, accountId: authorId, type: mediaTypeOf(m.contentType), remoteUrl: m.remoteUrl, description: m.description, blurhash: m.blurhash,
      meta: metaOf(m), now,
    });
    ids.push(id);
  }
  if (ids.length > 0) await tx.media.attach(statusId, authorId, ids);
  return ids;
}

async function createRemotePoll(tx: Tx, statusId: bigint, authorId: bigint, poll: RemotePollInput, now: number): Promise<void> {
  const options = [];
  for (const o of poll.options.slice(0, MAX_POLL_OPTIONS)) options.push({ id: await tx.nextId(), title: o.title, votesCount: Math.max(0, Math.floor(o.votesCount)) });
  if (options.length === 0) return;
  const id = await tx.nextId();
  await tx.polls.createRemote({ id, statusId, accountId: authorId, options, expiresAt: poll.expiresAt, multiple: poll.multiple, votersCount: poll.votersCount, now });
  // A poll stored well after its end (an old post looked up) has its final tallies already and no voters here
  // yet: the sweep ends it. Any other gets the job that reads it again and tells its local voters.
  if (poll.expiresAt !== null && poll.expiresAt + REMOTE_POLL_END_DELAY_MS > now) await tx.enqueue([endRemotePollRequest(id, poll.expiresAt, now)]);
}

/** Takes a remote poll's new tallies and end (same options); a moved end gets its own end job. */
async function setRemoteTallies(tx: Tx, current: PollRecord, poll: RemotePollInput, now: number): Promise<void> {
  const votes = poll.options.slice(0, MAX_POLL_OPTIONS).map((o) => Math.max(0, Math.floor(o.votesCount)));
  await tx.polls.setRemoteTallies(current.id, { votes, votersCount: poll.votersCount, expiresAt: poll.expiresAt, now });
  if (poll.expiresAt !== null && poll.expiresAt !== current.expiresAt) await tx.enqueue([endRemotePollRequest(current.id, poll.expiresAt, now)]);
}

/** Accounts among `ids` that exist (each once, in order). */
async function existingAccounts(tx: Tx, ids: readonly bigint[]): Promise<AccountRecord[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = new Map((await tx.accounts.findByIds(unique)).map((a) => [a.id, a]));
  return unique.map((id) => found.get(id)).filter((a): a is AccountRecord => a !== undefined);
}

async function remoteAuthor(deps: InboundDeps, authorId: bigint, known?: AccountRecord): Promise<AccountRecord | null> {
  const author = known?.id === authorId ? known : await deps.db.repos.accounts.findById(authorId);
  return isAvailable(author) && author.domain !== null ? author : null;
}

/** Rolls back a receiving transaction whose status is stored already. */
class UriTaken extends Error {}

/** What a stored status's distribution does besides the feeds, as for a new one. */
function extrasOf(status: StatusRecord): FanOutExtras {
  return { index: true, tagFeeds: status.visibility === "public", notifyFollowers: statusNotifiesFollowers(status) };
}

/** How the caller runs: a job that may have run before redoes the distribution of a status it finds stored. */
export interface ReceiveOptions {
  /** The job receiving this may have stored the status in an earlier run and stopped before distributing it. */
  readonly redelivered?: boolean;
}

/**
 * Distributes a status just stored, in the job that received it rather than in a job of its own: most remote
 * statuses reach no local feed, and a second job (queue, claim, finish, reading the rows back) cost more than
 * the distribution. Durability is the receiving job's: a run cut off after the commit is run again, finds the
 * status stored and redoes this (ReceiveOptions.redelivered). A failure here leaves it to a fan-out job, so the
 * activity is not processed again for it.
 */
async function distributeReceived(deps: InboundDeps, statusId: bigint, extras: FanOutExtras, created?: CreatedStatus): Promise<void> {
  try {
    await distributeStatus(deps, statusId, extras, created);
  } catch (error) {
    deps.log.warn({ err: error, statusId: String(statusId) }, "inbox: distributing a received status failed; left to a fan-out job");
    await deps.db.enqueue([jobRequest(fanOutStatusJob, { statusId: String(statusId), ...extras })]);
  }
}

/** A status with nothing to store but its row and its author's count (see receiveStatus). */
async function storePlain(deps: InboundDeps, row: NewStatus & { readonly uri: string }, notifyFollowers: boolean) {
  const status = await deps.db.repos.statuses.createCountedWithUri(row);
  if (!status) throw new UriTaken();
  return { status, tags: [] as TagRecord[], mentioned: [] as bigint[], extras: { index: true, tagFeeds: false, notifyFollowers } };
}

/**
 * Stores a remote status as Mastodon's ActivityPub::Activity::Create does, through the same effects a local
 * post has: the row (its uri unique: a second delivery, or one of a status deleted since, is a no-op), its
 * mentions, hashtags and search entry, attachments (in the remote media cache), poll, the parent's
 * replies_count and the author's statuses_count and mention notifications in one transaction; then its
 * distribution (distributeReceived): the author's local followers' feeds, the notifications of followers who
 * asked for them, its search entry and streaming events. Null when the author is not a known, available remote
 * account.
 */
export async function receiveStatus(
  deps: InboundDeps,
  input: RemoteStatusInput,
  options: ReceiveOptions = {},
): Promise<{ statusId: bigint; created: boolean } | null> {
  const author = await remoteAuthor(deps, input.authorId, input.author);
  if (!author) return null;
  // Before the status, so it never shows without the emojis it names.
  await storeRemoteEmojis(deps, author.domain!, input.emojis);
  const parent = input.inReplyToId === null ? null : await deps.db.repos.statuses.findById(input.inReplyToId);
  const now = deps.clock.now();
  // A date in the future (a wrong clock at the origin) would pin the status to the top of every timeline.
  const createdAt = Number.isFinite(input.createdAt) ? Math.min(input.createdAt, now) : now;
  const language = input.language && isLanguageCode(input.language) ? input.language : null;
  const row = (id: bigint) => ({
    id, accountId: author.id, text: input.html, spoilerText: input.spoilerText, visibility: input.visibility, sensitive: input.sensitive, language,
    inReplyToId: parent?.id ?? null, inReplyToAccountId: parent?.accountId ?? null, applicationId: null,
    conversationId: parent ? (parent.conversationId ?? parent.id) : id, now: createdAt, uri: input.uri, url: input.url,
    editedAt: input.editedAt === null ? null : Math.min(input.editedAt, now),
  });
  const thread = { visibility: input.visibility, reblogOfId: null, inReplyToId: parent?.id ?? null, inReplyToAccountId: parent?.accountId ?? null, accountId: author.id };
  const notifyFollowers = statusNotifiesFollowers(thread);
  // Most posts are text alone, a top-level post: the row and the author's count are all they store, in one write.
  const plain = parent === null && input.mentionIds.length === 0 && input.tags.length === 0 && input.media.length === 0 && input.poll === null && countsTowardsProfile(input.visibility);
  let created;
  try {
    created = plain ? await storePlain(deps, row(await deps.db.nextId()), notifyFollowers) : await deps.db.transaction(async (tx) => {
      const id = await tx.nextId();
      // A uri already stored (even deleted) stores nothing and leaves it to `known`.
      const stored = await tx.statuses.createWithUri(row(id));
      if (!stored) throw new UriTaken();
      const mediaIds = await attachRemoteMedia(tx, id, author.id, input.media, now);
      if (input.poll) await createRemotePoll(tx, id, author.id, input.poll, now);
      const mentions = (await existingAccounts(tx, input.mentionIds)).filter((a) => a.id !== author.id);
      const rows = [];
      for (const m of mentions) rows.push({ id: await tx.nextId(), accountId: m.id });
      await tx.statuses.addMentions(id, rows);
      // notify() skips remote recipients, blocks and mutes, as for a local post.
      await notify(tx, now, mentions.map((m) => ({ type: "mention" as const, recipientId: m.id, fromAccountId: author.id, statusId: id })));
      const { tagFeeds, tags } = await tagNewStatus(tx, { id, text: tagText(input.tags), visibility: input.visibility }, now);
      // The counters last: on PostgreSQL their row locks are held until commit, and a busy remote author's
      // posts (or replies to one thread) arriving at once would otherwise wait on each other for the whole body.
      if (countsTowardsProfile(input.visibility)) await tx.statuses.addAccountStatuses(author.id, 1, createdAt);
      if (parent && repliesCountable(input.visibility)) await tx.statuses.addReplies(parent.id, 1);
      const status = { ...stored, mediaAttachmentIds: mediaIds.length > 0 ? mediaIds : null };
      return { status, tags, mentioned: mentions.map((m) => m.id), extras: { index: true, tagFeeds, notifyFollowers } };
    });
  } catch (error) {
    // The object stored before (or by a delivery at the same moment): the stored one answers, if it is the
    // author's and not deleted; a redelivered job distributes it, in case its earlier run stopped before that.
    const known = await deps.db.repos.statuses.findByUri(input.uri);
    if (known && known.accountId === author.id) {
      if (options.redelivered && known.reblogOfId === null) await distributeReceived(deps, known.id, extrasOf(known));
      return { statusId: known.id, created: false };
    }
    if (error instanceof UriTaken) return null;
    throw error;
  }
  const { status, tags, mentioned, extras } = created;
  // A failure from here on is retried by the receiving job, which then finds the status and distributes it.
  await forgetAccounts(deps.cache, [author.id]);
  await distributeReceived(deps, status.id, extras, { status, author, mentioned, tags });
  return { statusId: status.id, created: true };
}

const sameContent = (a: StatusContent, b: StatusContent) =>
  a.text === b.text && a.spoilerText === b.spoilerText && a.sensitive === b.sensitive && a.language === b.language;

/** A status's current content as a revision (the first edit stores the original, as edit-status does). */
function snapshot(status: StatusRecord, pollOptions: readonly string[] | null): StatusEditRecord {
  return {
    id: status.id, statusId: status.id, accountId: status.accountId, text: status.text, spoilerText: status.spoilerText,
    sensitive: status.sensitive, language: status.language, createdAt: status.editedAt ?? status.createdAt,
    mediaAttachmentIds: status.mediaAttachmentIds, pollOptions,
  };
}

async function currentMedia(deps: InboundDeps, status: StatusRecord): Promise<MediaRecord[]> {
  const out: MediaRecord[] = [];
  for (const id of status.mediaAttachmentIds ?? []) {
    const m = await deps.db.repos.media.findById(id);
    if (m) out.push(m);
  }
  return out;
}

/**
 * Applies an Update of a remote status, as Mastodon's UpdateStatusService does for remote edits: only its
 * author's; an update not newer than the stored edit is ignored (replays and reordered deliveries). A change
 * of text, content warning, sensitivity, language, attachments or poll options records a revision (the first
 * one stores the original too), replaces mentions (newly mentioned local accounts are notified), hashtags and
 * the search entry, tells local boosters (`update`) and streams the edit. A poll whose options stay only takes
 * the new tallies, without a revision. Returns whether anything changed; null when the status is unknown.
 */
export async function receiveStatusUpdate(deps: InboundDeps, input: RemoteStatusInput): Promise<{ statusId: bigint; updated: boolean } | null> {
  const status = await deps.db.repos.statuses.findByUri(input.uri);
  if (!status || status.accountId !== input.authorId || status.reblogOfId !== null) return null;
  if (input.emojis && input.emojis.length > 0) {
    // An emoji's new image shows without an edit of the text.
    const author = await remoteAuthor(deps, input.authorId);
    if (author) await storeRemoteEmojis(deps, author.domain!, input.emojis);
  }
  const now = deps.clock.now();
  const editedAt = input.editedAt === null ? null : Math.min(input.editedAt, now);
  const lastEdit = status.editedAt ?? status.createdAt;
  if (editedAt !== null && editedAt < lastEdit) return { statusId: status.id, updated: false };
  // The revision already stored, again: a replay, or an edited poll's Question re-sent with new tallies (its
  // origin sends one per vote, and Herd fetches it once more at its end); only the tallies may change.
  const sameRevision = editedAt !== null && editedAt === lastEdit;
  const content: StatusContent = {
    text: input.html,
    spoilerText: input.spoilerText,
    sensitive: input.sensitive,
    language: input.language && isLanguageCode(input.language) ? input.language : status.language,
  };
  const media = await currentMedia(deps, status);
  const nextMedia = input.media.slice(0, MAX_MEDIA);
  const mediaChanges = media.map((m) => m.remoteUrl ?? "").join("\n") !== nextMedia.map((m) => m.remoteUrl).join("\n");
  const currentPoll = (await deps.db.repos.polls.findByStatusIds([status.id])).get(status.id);
  const currentOptions = currentPoll ? currentPoll.options.map((o) => o.title) : null;
  const nextOptions = input.poll ? input.poll.options.slice(0, MAX_POLL_OPTIONS).map((o) => o.title) : null;
  const pollChanges = (currentOptions ?? []).join("\n") !== (nextOptions ?? []).join("\n") || (currentPoll !== undefined && input.poll !== null && currentPoll.multiple !== input.poll.multiple);
  const edited = !sameRevision && (!sameContent(content, status) || mediaChanges || pollChanges);
  if (!edited) {
    if (!currentPoll || !input.poll || pollChanges) return { statusId: status.id, updated: false };
    const poll = input.poll;
    await deps.db.transaction((tx) => setRemoteTallies(tx, currentPoll, poll, now));
    return { statusId: status.id, updated: true };
  }
  const at = editedAt ?? now;
  await deps.db.transaction(async (tx) => {
    if ((await tx.interactions.editsOf(status.id)).length === 0)
      await tx.interactions.addEdit({ ...snapshot(status, currentOptions), id: await tx.nextId(), createdAt: status.createdAt });
    await tx.interactions.updateContent(status.id, content, at);
    let mediaIds = status.mediaAttachmentIds ?? [];
    if (mediaChanges) {
      await tx.media.detach(status.id);
      mediaIds = await attachRemoteMedia(tx, status.id, status.accountId, nextMedia, now);
    }
    await tx.interactions.addEdit({
      ...content, id: await tx.nextId(), statusId: status.id, accountId: status.accountId, createdAt: at, mediaAttachmentIds: mediaIds, pollOptions: nextOptions,
    });
    if (pollChanges) {
      if (currentPoll) await tx.polls.deleteByStatusId(status.id);
      if (input.poll) await createRemotePoll(tx, status.id, status.accountId, input.poll, now);
    } else if (currentPoll && input.poll) await setRemoteTallies(tx, currentPoll, input.poll, now);
    const before = new Set((await tx.statuses.mentionsOf([status.id])).get(status.id) ?? []);
    const mentions = (await existingAccounts(tx, input.mentionIds)).filter((a) => a.id !== status.accountId);
    const rows = [];
    for (const m of mentions) rows.push({ id: await tx.nextId(), accountId: m.id });
    await tx.interactions.replaceMentions(status.id, rows);
    const added = mentions.filter((m) => !before.has(m.id));
    await notify(tx, now, added.map((m) => ({ type: "mention" as const, recipientId: m.id, fromAccountId: status.accountId, statusId: status.id })));
    await retagEditedStatus(tx, { id: status.id, text: tagText(input.tags), visibility: status.visibility }, now);
    const boosts = await tx.interactions.reblogIdsOf(status.id);
    await notify(tx, now, boosts.map((b) => ({ type: "update" as const, recipientId: b.accountId, fromAccountId: status.accountId, statusId: status.id })));
    await tx.enqueue([jobRequest(streamStatusEditJob, { statusId: String(status.id) })]);
  });
  return { statusId: status.id, updated: true };
}

/**
 * Deletes the status or boost whose ActivityPub id is `uri`, only when `actorId` owns it, with the effects of a
 * local delete (feeds, notifications, search, counters, its boosts). False when there was nothing to delete
 * (unknown, someone else's, or deleted already: a repeated Delete).
 */
export async function receiveDeleteStatus(deps: InboundDeps, input: { actorId: bigint; uri: string }): Promise<boolean> {
  const status = await deps.db.repos.statuses.findByUri(input.uri);
  if (!status || status.accountId !== input.actorId) return false;
  const removed = await deps.db.transaction((tx) => removeStatus(tx, status, deps.clock.now()));
  if (removed.deleted) await forgetAccounts(deps.cache, [status.accountId, ...removed.boosters]);
  return removed.deleted;
}
