import { err, ok, type Result } from "../../domain/result.ts";
import type { AnnouncementRecord, ReactionCount } from "../../ports/repositories/announcements.ts";
import { customEmojiTable, type EmojiDeps } from "../emojis/custom-emojis.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { streamAnnouncementReactionJob } from "../streaming/stream-jobs.ts";

/** Mastodon's ReactionValidator: at most eight different reactions on one announcement. */
export const MAX_REACTION_NAMES = 8;

export type AnnouncementDeps = EmojiDeps;

export type AnnouncementError = { readonly kind: "not_found" } | { readonly kind: "invalid"; readonly message: string };

/** One announcement as a viewer sees it. */
export interface AnnouncementView {
  readonly announcement: AnnouncementRecord;
  readonly reactions: readonly ReactionCount[];
  /** Null for anonymous viewers. */
  readonly read: boolean | null;
}

const RGI_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");

/** Whether `name` is one emoji as Unicode defines them (a keycap, flag or ZWJ sequence counts as one). */
export function isUnicodeEmoji(name: string): boolean {
  return RGI_EMOJI.test(name) || RGI_EMOJI.test(name.replace(/\uFE0F/g, ""));
}

/**
 * Publishes an announcement at once. `startsAt`/`endsAt` are when the event it announces runs (shown by clients),
 * both or neither, the end after the start, as Mastodon validates.
 */
export async function publishAnnouncement(
  deps: AnnouncementDeps,
  input: { text: string; startsAt?: number | null; endsAt?: number | null; allDay?: boolean },
): Promise<Result<AnnouncementRecord, AnnouncementError>> {
  const text = input.text.trim();
  if (text === "") return err({ kind: "invalid", message: "the text is empty" });
  const startsAt = input.startsAt ?? null;
  const endsAt = input.endsAt ?? null;
  if ((startsAt === null) !== (endsAt === null)) return err({ kind: "invalid", message: "give both --starts-at and --ends-at, or neither" });
  if (startsAt !== null && endsAt !== null && endsAt < startsAt) return err({ kind: "invalid", message: "--ends-at is before --starts-at" });
  if (input.allDay && startsAt === null) return err({ kind: "invalid", message: "--all-day needs --starts-at and --ends-at" });
  const now = deps.clock.now();
  const announcement: AnnouncementRecord = {
    id: await deps.db.nextId(),
    text,
    startsAt,
    endsAt,
    allDay: Boolean(input.allDay),
    published: true,
    publishedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  await deps.db.transaction((tx) => tx.announcements.create(announcement));
  return ok(announcement);
}

/** Every announcement, published or not (for the CLI). */
export function listAllAnnouncements(deps: AnnouncementDeps): Promise<AnnouncementRecord[]> {
  return deps.db.repos.announcements.listAll();
}

/** Takes an announcement down (clients stop showing it). */
export async function unpublishAnnouncement(deps: AnnouncementDeps, id: bigint): Promise<Result<void, AnnouncementError>> {
  const done = await deps.db.transaction((tx) => tx.announcements.unpublish(id, deps.clock.now()));
  return done ? ok(undefined) : err({ kind: "not_found" });
}

/** Published announcements for `viewerId`, oldest first, leaving out dismissed ones unless `withDismissed`. */
export async function listAnnouncements(deps: AnnouncementDeps, viewerId: bigint, withDismissed: boolean): Promise<AnnouncementView[]> {
  const repo = deps.db.repos.announcements;
  const list = await repo.listPublished(withDismissed ? null : viewerId);
  const ids = list.map((a) => a.id);
  const [reactions, dismissed] = await Promise.all([repo.reactionsOf(ids, viewerId), repo.dismissedAmong(viewerId, ids)]);
  return list.map((a) => ({ announcement: a, reactions: reactions.get(a.id) ?? [], read: dismissed.has(a.id) }));
}

async function published(deps: AnnouncementDeps, id: bigint): Promise<AnnouncementRecord | null> {
  const a = await deps.db.repos.announcements.findById(id);
  return a && a.published ? a : null;
}

/** Marks a published announcement read for `accountId`. */
export async function dismissAnnouncement(deps: AnnouncementDeps, accountId: bigint, id: bigint): Promise<Result<void, AnnouncementError>> {
  if (!(await published(deps, id))) return err({ kind: "not_found" });
  await deps.db.transaction(async (tx) => tx.announcements.dismiss(await tx.nextId(), id, accountId, deps.clock.now()));
  return ok(undefined);
}

/**
 * Reacts with a unicode emoji or an enabled local custom emoji's shortcode. Reacting twice with one name is not
 * an error; a ninth different name is refused, as Mastodon's ReactionValidator does.
 */
export async function addReaction(deps: AnnouncementDeps, accountId: bigint, id: bigint, name: string): Promise<Result<void, AnnouncementError>> {
  if (!(await published(deps, id))) return err({ kind: "not_found" });
  const custom = isUnicodeEmoji(name) ? null : ((await customEmojiTable(deps)).get(name) ?? null);
  if (!isUnicodeEmoji(name) && custom === null) return err({ kind: "invalid", message: "Validation failed: Name is not a recognized emoji" });
  return deps.db.transaction(async (tx) => {
    const names = await tx.announcements.reactionNames(id);
    if (!names.includes(name) && names.length >= MAX_REACTION_NAMES)
      return err({ kind: "invalid", message: "Validation failed: Limit of different reactions reached" });
    await tx.announcements.addReaction({ id: await tx.nextId(), announcementId: id, accountId, name, customEmojiId: custom?.id ?? null, now: deps.clock.now() });
    // Open user streams see the new count once this commits (Mastodon's announcement.reaction).
    await tx.enqueue([jobRequest(streamAnnouncementReactionJob, { announcementId: String(id), name })]);
    return ok(undefined);
  });
}

/** Withdraws the account's reaction; one it never made is "not found", as in Mastodon. */
export async function removeReaction(deps: AnnouncementDeps, accountId: bigint, id: bigint, name: string): Promise<Result<void, AnnouncementError>> {
  if (!(await published(deps, id))) return err({ kind: "not_found" });
  const removed = await deps.db.transaction(async (tx) => {
    const gone = await tx.announcements.removeReaction(id, accountId, name);
    if (gone) await tx.enqueue([jobRequest(streamAnnouncementReactionJob, { announcementId: String(id), name })]);
    return gone;
  });
  return removed ? ok(undefined) : err({ kind: "not_found" });
}
