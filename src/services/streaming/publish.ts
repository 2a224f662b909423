import type { Database } from "../../ports/database.ts";
import type { Logger } from "../../ports/logger.ts";
import type { PubSub } from "../../ports/pubsub.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import {
  ANNOUNCEMENTS_CHANNEL,
  directChannel,
  hashtagChannel,
  homeChannel,
  listChannel,
  notificationsChannel,
  publicChannel,
  type StreamMessage,
} from "./channels.ts";

/** What publishing streaming events needs. Events are best effort: a failed publish is logged, never thrown. */
export interface StreamingPublishDeps {
  readonly pubsub: PubSub;
  readonly log?: Pick<Logger, "warn">;
}

/** What publishing to the public and hashtag streams needs besides the pub/sub (the author and the tags). */
export interface PublicStreamDeps extends StreamingPublishDeps {
  readonly db: Database;
}

async function send(deps: StreamingPublishDeps, channels: readonly string[], message: StreamMessage): Promise<void> {
  if (channels.length === 0) return;
  const text = JSON.stringify(message);
  try {
    await deps.pubsub.publishMany([...new Set(channels)], text);
  } catch (err) {
    // A missed live event is recovered by the next timeline read; failing the action (or retrying a job and
    // sending the event twice) would be worse.
    deps.log?.warn({ err, event: message.event, channels: channels.length }, "streaming publish failed");
  }
}

/**
 * A status (or boost) entered these home feeds and list feeds: `update` to each. Call after the feeds were
 * pushed (the fan-out job), so a client that refetches on the event finds it.
 */
export async function publishFeedInserts(
  deps: StreamingPublishDeps,
  statusId: bigint,
  feeds: { readonly homes: readonly bigint[]; readonly lists: readonly bigint[] },
  event: "update" | "status.update" = "update",
): Promise<void> {
  await send(deps, [...feeds.homes.map(homeChannel), ...feeds.lists.map(listChannel)], { event, statusId: String(statusId) });
}

/** A status left these home and list feeds (and no other stream): `delete` to each. */
export async function publishFeedRemovals(
  deps: StreamingPublishDeps,
  statusId: bigint,
  feeds: { readonly homes: readonly bigint[]; readonly lists: readonly bigint[] },
): Promise<void> {
  await send(deps, [...feeds.homes.map(homeChannel), ...feeds.lists.map(listChannel)], { event: "delete", statusId: String(statusId) });
}

/**
 * Mastodon's FanOutOnWriteService#broadcastable? and broadcast_to_public_streams!: a public, original (not a
 * boost) status of an author who is not silenced goes to the public streams (local or remote, and the media
 * variants when it has media) unless it replies to someone else; and to each of its hashtags' streams.
 */
async function publicChannelsOf(
  deps: PublicStreamDeps,
  status: StatusRecord,
  author?: AccountRecord | null,
  knownTags?: readonly Pick<TagRecord, "nameLower">[],
): Promise<string[]> {
  if (status.visibility !== "public" || status.reblogOfId !== null) return [];
  const account = author ?? (await deps.db.repos.accounts.findById(status.accountId));
  if (!account || account.silencedAt !== null || account.suspendedAt !== null) return [];
  const local = account.domain === null;
  const media = (status.mediaAttachmentIds?.length ?? 0) > 0;
  const channels: string[] = [];
  const tags = knownTags ?? (await deps.db.repos.tags.tagsOf([status.id])).get(status.id) ?? [];
  for (const tag of tags) {
    channels.push(hashtagChannel(tag.nameLower));
    if (local) channels.push(hashtagChannel(tag.nameLower, true));
  }
  const selfReplyOrNone = status.inReplyToId === null || status.inReplyToAccountId === status.accountId;
  if (selfReplyOrNone) {
    const scope = local ? "local" : "remote";
    channels.push(publicChannel("all"), publicChannel(scope));
    if (media) channels.push(publicChannel("all", true), publicChannel(scope, true));
  }
  return channels;
}

/**
 * Every public stream a deleted public status may have been on. Its reply target and media are not looked at
 * (the row may be half gone): a `delete` of an id a stream never showed is ignored by clients.
 */
async function deletedPublicChannels(deps: PublicStreamDeps, status: { readonly id: bigint; readonly accountId: bigint }): Promise<string[]> {
  const account = await deps.db.repos.accounts.findById(status.accountId);
  if (!account) return [];
  const local = account.domain === null;
  const scope = local ? "local" : "remote";
  const channels = [publicChannel("all"), publicChannel(scope), publicChannel("all", true), publicChannel(scope, true)];
  for (const tag of (await deps.db.repos.tags.tagsOf([status.id])).get(status.id) ?? []) {
    channels.push(hashtagChannel(tag.nameLower));
    if (local) channels.push(hashtagChannel(tag.nameLower, true));
  }
  return channels;
}

/** A new status on the public and hashtag streams it belongs to (see publicChannelsOf). */
export async function publishPublicStatus(
  deps: PublicStreamDeps,
  status: StatusRecord,
  options: {
    readonly author?: AccountRecord | null;
    /** The status's tags, when the caller holds them (a status just created). */
    readonly tags?: readonly Pick<TagRecord, "nameLower">[];
    readonly event?: "update" | "status.update";
  } = {},
): Promise<void> {
  const channels = await publicChannelsOf(deps, status, options.author, options.tags).catch((err) => {
    deps.log?.warn({ err, statusId: String(status.id) }, "streaming: could not work out public channels");
    return [];
  });
  await send(deps, channels, { event: options.event ?? "update", statusId: String(status.id) });
}

/**
 * A status was deleted (or a boost undone): `delete` on the home and list feeds that may have held it, on its
 * public and hashtag streams, and on its direct participants' streams. The payload is the id only, so
 * sending it where the status never was is harmless (as Mastodon's RemoveStatusService does).
 */
export async function publishStatusDeleted(
  deps: PublicStreamDeps,
  status: { readonly id: bigint; readonly accountId: bigint; readonly reblogOfId: bigint | null; readonly visibility: string },
  feeds: { readonly homes: readonly bigint[]; readonly lists: readonly bigint[]; readonly direct?: readonly bigint[] },
): Promise<void> {
  const publicOnes = status.visibility === "public" && status.reblogOfId === null ? await deletedPublicChannels(deps, status).catch(() => []) : [];
  await send(
    deps,
    [...feeds.homes.map(homeChannel), ...feeds.lists.map(listChannel), ...(feeds.direct ?? []).map(directChannel), ...publicOnes],
    { event: "delete", statusId: String(status.id) },
  );
}

/** A notification for `recipientId`: `notification` on its notification stream. Call after commit. */
export async function publishNotification(deps: StreamingPublishDeps, recipientId: bigint, notificationId: bigint): Promise<void> {
  await send(deps, [notificationsChannel(recipientId)], { event: "notification", notificationId: String(notificationId) });
}

/** Accepted notification requests finished merging: clients refetch their notifications. */
export async function publishNotificationsMerged(deps: StreamingPublishDeps, accountId: bigint): Promise<void> {
  await send(deps, [notificationsChannel(accountId)], { event: "notifications_merged" });
}

/** The account's filters changed: `filters_changed` on its user stream. Call after commit. */
export async function publishFiltersChanged(deps: StreamingPublishDeps, accountId: bigint): Promise<void> {
  await send(deps, [homeChannel(accountId)], { event: "filters_changed" });
}

/** A direct conversation of each of `accountIds` got `statusId` as its last status: `conversation` on their direct streams. */
export async function publishConversation(deps: StreamingPublishDeps, accountIds: readonly bigint[], conversationId: bigint, statusId: bigint): Promise<void> {
  await send(deps, accountIds.map(directChannel), { event: "conversation", conversationId: String(conversationId), statusId: String(statusId) });
}

/** An announcement was published (or changed): `announcement` on every user stream. */
export async function streamAnnouncement(deps: StreamingPublishDeps, announcementId: bigint): Promise<void> {
  await send(deps, [ANNOUNCEMENTS_CHANNEL], { event: "announcement", announcementId: String(announcementId) });
}

/** An announcement was unpublished or deleted: `announcement.delete` on every user stream. */
export async function streamAnnouncementDeleted(deps: StreamingPublishDeps, announcementId: bigint): Promise<void> {
  await send(deps, [ANNOUNCEMENTS_CHANNEL], { event: "announcement.delete", announcementId: String(announcementId) });
}

/** An announcement's reaction `name` now counts `count`: `announcement.reaction` on every user stream. */
export async function streamAnnouncementReaction(deps: StreamingPublishDeps, announcementId: bigint, name: string, count: number): Promise<void> {
  await send(deps, [ANNOUNCEMENTS_CHANNEL], { event: "announcement.reaction", announcementId: String(announcementId), name, count });
}
