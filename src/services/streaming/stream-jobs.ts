import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

const id = z.string().regex(/^\d{1,20}$/);
// A live event is worth little late: a few quick retries, then it is dropped (timelines still show it).
const retry = { attempts: 3, backoffMs: 500 };

/**
 * Publishes a new notification to its recipient's streams. Enqueue in the transaction that records it, so the
 * event goes out after commit and only if the notification exists.
 */
export const streamNotificationJob: JobContract<{ accountId: string; notificationId: string }> = {
  name: "stream-notification",
  queue: "default",
  payload: z.object({ accountId: id, notificationId: id }),
  retry,
};

/** Publishes `filters_changed` to the account's user streams. Enqueue in the transaction that changes its filters. */
export const streamFiltersChangedJob: JobContract<{ accountId: string }> = {
  name: "stream-filters-changed",
  queue: "default",
  payload: z.object({ accountId: id }),
  retry,
};

/**
 * Publishes `status.update` for an edited status to the home feeds of its author and local followers, the lists
 * holding its author, and its public and hashtag streams. Enqueue in the editing transaction.
 */
export const streamStatusEditJob: JobContract<{ statusId: string }> = {
  name: "stream-status-edit",
  queue: "default",
  payload: z.object({ statusId: id }),
  retry,
};

/**
 * Publishes `announcement.reaction` with the reaction's new count. Enqueue in the transaction that adds or
 * removes the reaction.
 */
export const streamAnnouncementReactionJob: JobContract<{ announcementId: string; name: string }> = {
  name: "stream-announcement-reaction",
  queue: "default",
  payload: z.object({ announcementId: id, name: z.string().min(1).max(100) }),
  retry,
};

/** Publishes `notifications_merged` once accepted requests' notifications joined the list. Enqueue in the accepting transaction. */
export const streamNotificationsMergedJob: JobContract<{ accountId: string }> = {
  name: "stream-notifications-merged",
  queue: "default",
  payload: z.object({ accountId: id }),
  retry,
};
