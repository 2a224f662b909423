/** Notification types Herd records, as Mastodon names them (v1 `type`), in Mastodon's order. */
export const NOTIFICATION_TYPES = ["mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Mastodon's NotificationGroup: favourites and boosts group per status, follows all together. */
export const GROUPABLE_TYPES: readonly NotificationType[] = ["favourite", "reblog", "follow"];

/** Mastodon's Notification::PROPERTIES: the types a notification policy may filter or drop. */
export const FILTERABLE_TYPES: readonly NotificationType[] = ["mention", "reblog", "follow", "follow_request", "favourite"];
