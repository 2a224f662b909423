import { FILTERABLE_TYPES, GROUPABLE_TYPES, type NotificationType } from "../../domain/notifications.ts";
import type { Tx } from "../../ports/database.ts";
import type { DeliveryFacts, NotificationPolicyRecord, PolicyAction } from "../../ports/repositories/notifications.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { DEFAULT_POLICY } from "./policy.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { streamNotificationJob } from "../streaming/stream-jobs.ts";

/** Notification types as Mastodon names them (v1 `type`). */
export type { NotificationType };

/** Something that happened to `recipientId` because of `fromAccountId` (and, for most types, a status). */
export interface NotificationEvent {
  readonly type: NotificationType;
  readonly recipientId: bigint;
  readonly fromAccountId: bigint;
  readonly statusId?: bigint | null;
}

const HOUR = 3_600_000;
/** A group keeps collecting while its first hour bucket is less than this many hours old (Mastodon's 12). */
const MAXIMUM_GROUP_SPAN_HOURS = 12;
const NEW_ACCOUNT_THRESHOLD = 30 * 24 * HOUR;
const NEW_FOLLOWER_THRESHOLD = 3 * 24 * HOUR;
/** How far up a thread a private mention looks for the recipient mentioning the sender first (Mastodon's 100). */
const THREAD_DEPTH_LIMIT = 100;

/**
 * Records notifications in the transaction of the action that caused them, so they exist if and only if the
 * action does. Skips what Mastodon skips: notifying oneself, remote recipients, recipients who block or mute
 * (with notifications) the sender. Safe to call twice for the same event (the second does nothing); an
 * `update` (an edit) replaces the previous one about the same status, since each edit is a new event.
 */
export async function notify(tx: Tx, now: number, events: readonly NotificationEvent[]): Promise<void> {
  for (const event of events) await notifyOne(tx, now, event);
}

async function notifyOne(tx: Tx, now: number, event: NotificationEvent): Promise<void> {
  // Mastodon notifies poll authors of their own poll's end; every other self-notification is noise.
  if (event.recipientId === event.fromAccountId && event.type !== "poll") return;
  const facts = await tx.notifications.deliveryFacts(event.recipientId, event.fromAccountId, now);
  if (!facts.recipientAvailable || facts.senderSuspended) return;
  if (facts.recipientBlocksSender || facts.recipientMutesNotifications) return;
  if (facts.recipientBlocksSenderDomain && !facts.recipientFollowsSender) return;
  const statusId = event.statusId ?? null;
  const status = statusId === null ? null : await tx.statuses.findById(statusId);
  if (statusId !== null && status === null) return;
  if (status !== null && status.conversationId !== null && (await tx.interactions.isConversationMuted(event.recipientId, status.conversationId))) return;
  if (event.type === "mention" && status !== null && (await involvesShunned(tx, now, event.recipientId, status))) return;

  const verdict = await policyVerdict(tx, now, event, facts, status);
  if (verdict === "drop") return;
  const filtered = verdict === "filter";
  const groupKey = filtered || !GROUPABLE_TYPES.includes(event.type) ? null : await groupKeyFor(tx, now, event, statusId);
  // Each edit is news to those who boosted: the newest replaces the one before instead of being a duplicate.
  if (event.type === "update")
    await tx.notifications.deleteMatching({ type: "update", fromAccountId: event.fromAccountId, recipientId: event.recipientId, statusId: statusId ?? undefined });
  const notificationId = await tx.nextId();
  const inserted = await tx.notifications.insert({
    id: notificationId,
    accountId: event.recipientId,
    fromAccountId: event.fromAccountId,
    type: event.type,
    statusId,
    groupKey,
    filtered,
    now,
  });
  // Live to the recipient's streams once committed (filtered ones wait in the requests, as in Mastodon).
  if (inserted && !filtered)
    await tx.enqueue([jobRequest(streamNotificationJob, { accountId: String(event.recipientId), notificationId: String(notificationId) })]);
  // Requests gather filtered mentions per sender, as Mastodon's do; other filtered types stay reachable with
  // include_filtered.
  if (inserted && filtered && event.type === "mention" && statusId !== null)
    await tx.notifications.touchRequest(await tx.nextId(), event.recipientId, event.fromAccountId, statusId, now);
}

/**
 * Mastodon's FeedManager#filter_from_mentions?: a mention is dropped when the status also mentions, or
 * replies to, someone the recipient blocks or mutes.
 */
async function involvesShunned(tx: Tx, now: number, recipientId: bigint, status: StatusRecord): Promise<boolean> {
  const others = new Set((await tx.statuses.mentionsOf([status.id])).get(status.id) ?? []);
  if (status.inReplyToAccountId !== null) others.add(status.inReplyToAccountId);
  others.delete(recipientId);
  others.delete(status.accountId);
  if (others.size === 0) return false;
  const states = await tx.relationships.relationships(recipientId, [...others], now);
  return [...states.values()].some((r) => r.blocking || r.muting !== null);
}

/**
 * Mastodon's NotifyService conditions: the first policy rule that matches decides, drop before filter. Senders
 * the recipient accepted a request from, and types a policy does not govern, always pass.
 */
async function policyVerdict(
  tx: Tx,
  now: number,
  event: NotificationEvent,
  facts: DeliveryFacts,
  status: StatusRecord | null,
): Promise<PolicyAction> {
  if (!FILTERABLE_TYPES.includes(event.type) || facts.permitted) return "accept";
  const policy: NotificationPolicyRecord = facts.policy ?? DEFAULT_POLICY;
  const notFollowing = !facts.recipientFollowsSender;
  const since = facts.senderFollowsRecipientSince;
  const notFollower = since === null || since > now - NEW_FOLLOWER_THRESHOLD;
  const newAccount = facts.senderCreatedAt > now - NEW_ACCOUNT_THRESHOLD;
  let privateMention: boolean | undefined;
  const isPrivateMention = async () =>
    (privateMention ??=
      event.type === "mention" && status !== null && status.visibility === "direct" && !(await respondsToRecipient(tx, status, event.recipientId, event.fromAccountId)));
  const rules: [PolicyAction, () => boolean | Promise<boolean>][] = [
    [policy.forLimitedAccounts, () => facts.senderSilenced && notFollowing],
    [policy.forNotFollowing, () => notFollowing],
    [policy.forNotFollowers, () => notFollower],
    [policy.forNewAccounts, () => newAccount],
    [policy.forPrivateMentions, async () => notFollowing && (await isPrivateMention())],
  ];
  for (const action of ["drop", "filter"] as const)
    for (const [ruleAction, matches] of rules) if (ruleAction === action && (await matches())) return action;
  return "accept";
}

/**
 * Whether a private mention answers the recipient: somewhere up the thread (within Mastodon's depth limit) the
 * recipient wrote a status that mentions the sender, so the conversation was theirs to start.
 */
async function respondsToRecipient(tx: Tx, status: StatusRecord, recipientId: bigint, senderId: bigint): Promise<boolean> {
  let parentId = status.inReplyToId;
  const seen = new Set<bigint>();
  for (let depth = 0; parentId !== null && depth < THREAD_DEPTH_LIMIT && !seen.has(parentId); depth++) {
    seen.add(parentId);
    const parent = await tx.statuses.findById(parentId);
    if (!parent) return false;
    if (parent.accountId === recipientId && (await tx.statuses.isMentioned(parent.id, senderId))) return true;
    parentId = parent.inReplyToId;
  }
  return false;
}

/**
 * Mastodon's group key: "<type>-<status id>-<hour bucket>" for favourites and boosts, "follow-<hour bucket>" for
 * follows. A new notification joins the latest group of its kind while that group's bucket is under twelve
 * hours old (Mastodon keeps the bucket in Redis; the latest stored key is the same fact, and durable).
 */
async function groupKeyFor(tx: Tx, now: number, event: NotificationEvent, statusId: bigint | null): Promise<string> {
  const prefix = event.type === "follow" ? "follow" : `${event.type}-${statusId ?? ""}`;
  let bucket = Math.floor(now / HOUR);
  const previous = await tx.notifications.latestGroupKey(event.recipientId, event.type, event.type === "follow" ? null : statusId);
  const previousBucket = previous === null ? NaN : Number(previous.slice(previous.lastIndexOf("-") + 1));
  if (Number.isFinite(previousBucket) && bucket < previousBucket + MAXIMUM_GROUP_SPAN_HOURS) bucket = previousBucket;
  return `${prefix}-${bucket}`;
}

/**
 * Removes the notifications an undone action caused (unfavourite, unreblog, unfollow, a withdrawn follow
 * request), in the undoing transaction.
 */
export async function withdrawNotifications(
  tx: Tx,
  match: { readonly type: NotificationType; readonly fromAccountId: bigint; readonly recipientId?: bigint; readonly statusId?: bigint },
): Promise<void> {
  await tx.notifications.deleteMatching(match);
}

/**
 * Removes everything `senderId` ever notified `recipientId` of, and the request it waits in: Mastodon's
 * AfterBlockService does this when the recipient blocks the sender. Call in the blocking transaction.
 */
export async function clearNotificationsFrom(tx: Tx, recipientId: bigint, senderId: bigint): Promise<void> {
  await tx.notifications.deleteFrom(recipientId, senderId);
}

/** Removes every notification about statuses being deleted, in the deleting transaction. */
export async function withdrawStatusNotifications(tx: Tx, statusIds: readonly bigint[]): Promise<void> {
  await tx.notifications.deleteForStatuses(statusIds);
}
