import { validGroupKey } from "./grouped-notifications.ts";
import type { NotificationDeps } from "./read-notifications.ts";

/** Deletes one of the viewer's notifications; false when there is none by that id. */
export async function dismissNotification(deps: NotificationDeps, viewerId: bigint, id: bigint): Promise<boolean> {
  // A dismissed filtered mention no longer waits in its sender's request: the repository lowers its count.
  return deps.db.transaction((tx) => tx.notifications.dismiss(viewerId, id));
}

/** Deletes all of the viewer's notifications (Mastodon's clear: filtered ones too, and with them the requests). */
export async function clearNotifications(deps: NotificationDeps, viewerId: bigint): Promise<void> {
  await deps.db.transaction((tx) => tx.notifications.clear(viewerId));
}

/** Deletes every notification of one group (a stored key or "ungrouped-<id>"); nothing to delete is no error. */
export async function dismissGroup(deps: NotificationDeps, viewerId: bigint, groupKey: string): Promise<void> {
  if (!validGroupKey(groupKey)) return;
  await deps.db.transaction((tx) => tx.notifications.dismissGroup(viewerId, groupKey));
}
