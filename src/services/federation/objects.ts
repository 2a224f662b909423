import { canView } from "../../domain/visibility.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { CustomEmojiRecord } from "../../ports/repositories/custom-emojis.ts";
import { customEmojiTable, emojisUsed } from "../emojis/custom-emojis.ts";
import type { MediaRecord } from "../../ports/repositories/media.ts";
import type { PollRecord } from "../../ports/repositories/polls.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { findPublishedAccount, type FederationReadDeps } from "./actors.ts";

/** A local status with everything its Note (or Question) shows. */
export interface LocalStatusObject {
  readonly status: StatusRecord;
  readonly author: AccountRecord;
  /** Mentioned accounts, in mention order. */
  readonly mentions: readonly AccountRecord[];
  readonly tags: readonly TagRecord[];
  readonly poll: PollRecord | null;
  readonly media: readonly MediaRecord[];
  /** The enabled local emojis its text and content warning use. */
  readonly emojis: readonly CustomEmojiRecord[];
  /** The status replied to and its author, when both still exist. */
  readonly parent: { readonly status: StatusRecord; readonly author: AccountRecord } | null;
}

/** How many direct replies the embedded first page of a status's `replies` collection lists. */
const REPLIES_PAGE = 20;

/** A reply as the replies collection lists it: the status and its author (for the reply's id). */
export interface ReplyRef {
  readonly status: StatusRecord;
  readonly author: AccountRecord;
}

/**
 * The first direct replies to a status that anyone may read (public and unlisted, by authors that are not
 * suspended), oldest first, for the first page of its `replies` collection.
 */
export async function publicReplies(deps: FederationReadDeps, statusId: bigint): Promise<ReplyRef[]> {
  const links = await deps.db.repos.interactions.descendantLinks(statusId, REPLIES_PAGE, 1);
  const direct = links.filter((l) => l.inReplyToId === statusId).map((l) => l.id);
  if (direct.length === 0) return [];
  const statuses = (await deps.db.repos.statuses.findByIds(direct)).filter((s) => canView(s.visibility, null));
  const authors = new Map((await deps.db.repos.accounts.findByIds([...new Set(statuses.map((s) => s.accountId))])).map((a) => [a.id, a]));
  return statuses
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap((s) => {
      const author = authors.get(s.accountId);
      return author && author.suspendedAt === null ? [{ status: s, author }] : [];
    });
}

/**
 * A local status at /users/{username}/statuses/{id} as an unsigned request may see it: the author must be the
 * username's published, unsuspended account, and the policy must let an anonymous viewer see it (public and
 * unlisted; private and direct need authorized fetch by a permitted actor, which comes with signature
 * verification). Boosts are Announce activities, not objects, so they are not found here.
 */
export async function findPublicStatusObject(deps: FederationReadDeps, username: string, statusId: bigint): Promise<LocalStatusObject | null> {
  const author = await findPublishedAccount(deps, username);
  if (!author || author.suspendedAt !== null) return null;
  const status = await deps.db.repos.statuses.findById(statusId);
  if (!status || status.accountId !== author.id || status.reblogOfId !== null) return null;
  if (!canView(status.visibility, null)) return null;
  return loadStatusObject(deps, status, author);
}

/** The related records of statuses already known to be visible (outbox and featured pages). */
export async function loadStatusObjects(deps: FederationReadDeps, statuses: readonly StatusRecord[], author: AccountRecord): Promise<LocalStatusObject[]> {
  return Promise.all(statuses.map((s) => loadStatusObject(deps, s, author)));
}

async function loadStatusObject(deps: FederationReadDeps, status: StatusRecord, author: AccountRecord): Promise<LocalStatusObject> {
  const repos = deps.db.repos;
  const [mentionIds, tags, polls, media, parentStatus, emojiTable] = await Promise.all([
    repos.statuses.mentionsOf([status.id]),
    repos.tags.tagsOf([status.id]),
    repos.polls.findByStatusIds([status.id]),
    repos.media.forStatuses([status]),
    status.inReplyToId === null ? Promise.resolve(null) : repos.statuses.findById(status.inReplyToId),
    customEmojiTable(deps),
  ]);
  const ids = mentionIds.get(status.id) ?? [];
  const accountIds = [...ids, ...(parentStatus ? [parentStatus.accountId] : [])];
  const accounts = new Map((await repos.accounts.findByIds(accountIds)).map((a) => [a.id, a]));
  const parentAuthor = parentStatus ? accounts.get(parentStatus.accountId) : undefined;
  return {
    status,
    author,
    mentions: ids.map((id) => accounts.get(id)).filter((a): a is AccountRecord => a !== undefined),
    tags: tags.get(status.id) ?? [],
    poll: polls.get(status.id) ?? null,
    media: media.get(status.id) ?? [],
    emojis: emojisUsed(emojiTable, status.text, status.spoilerText, ...(polls.get(status.id)?.options.map((o) => o.title) ?? [])),
    parent: parentStatus && parentAuthor ? { status: parentStatus, author: parentAuthor } : null,
  };
}
