import { normalizeHashtag } from "../../domain/status-text.ts";

/**
 * The PubSub channels streaming events travel on, named as Mastodon's Redis channels are (timeline:…), and the
 * small messages sent on them. Messages carry ids only: each streaming process loads and renders what it
 * delivers, checked per subscriber, so a message never holds anything a subscriber may not see.
 */

/** An account's home feed: `update`, `delete`, `status.update`, `filters_changed` (and `conversation` under direct). */
export const homeChannel = (accountId: bigint): string => `timeline:${accountId}`;
/** An account's notifications (Mastodon's `timeline:<id>:notifications`): `notification`, `notifications_merged`. */
export const notificationsChannel = (accountId: bigint): string => `timeline:${accountId}:notifications`;
/** A list's feed. */
export const listChannel = (listId: bigint): string => `timeline:list:${listId}`;
/** An account's direct conversations: `conversation`. */
export const directChannel = (accountId: bigint): string => `timeline:direct:${accountId}`;
/**
 * A hashtag's stream, by the tag's normalized name (the tags' name_lower: #Café, #CAFE and full-width #ｃａｆｅ are
 * one tag, so one stream); `local` for statuses of local authors only.
 */
export const hashtagChannel = (name: string, local = false): string => `timeline:hashtag:${normalizeHashtag(name)}${local ? ":local" : ""}`;
/** The public streams: all, local only, remote only; each with a media-only variant. */
export const publicChannel = (scope: "all" | "local" | "remote", onlyMedia = false): string =>
  `timeline:public${scope === "all" ? "" : `:${scope}`}${onlyMedia ? ":media" : ""}`;
/** Announcements, for every signed-in `user` stream (one channel rather than one message per account). */
export const ANNOUNCEMENTS_CHANNEL = "timeline:announcements";

/** What travels on the channels (JSON). Ids are decimal strings: 64-bit ids do not survive a JSON number. */
export type StreamMessage =
  | { readonly event: "update" | "status.update"; readonly statusId: string }
  | { readonly event: "delete"; readonly statusId: string }
  | { readonly event: "notification"; readonly notificationId: string }
  | { readonly event: "conversation"; readonly conversationId: string; readonly statusId: string }
  | { readonly event: "filters_changed" | "notifications_merged" }
  | { readonly event: "announcement"; readonly announcementId: string }
  | { readonly event: "announcement.delete"; readonly announcementId: string }
  | { readonly event: "announcement.reaction"; readonly announcementId: string; readonly name: string; readonly count: number };

const ID = /^\d{1,20}$/;
const isId = (v: unknown): v is string => typeof v === "string" && ID.test(v);

/** Parses a channel message; null for anything malformed (a message from an older or newer process is dropped). */
export function parseStreamMessage(text: string): StreamMessage | null {
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return null;
    m = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  switch (m.event) {
    case "update":
    case "status.update":
    case "delete":
      return isId(m.statusId) ? { event: m.event, statusId: m.statusId } : null;
    case "notification":
      return isId(m.notificationId) ? { event: m.event, notificationId: m.notificationId } : null;
    case "conversation":
      return isId(m.conversationId) && isId(m.statusId) ? { event: m.event, conversationId: m.conversationId, statusId: m.statusId } : null;
    case "filters_changed":
    case "notifications_merged":
      return { event: m.event };
    case "announcement":
    case "announcement.delete":
      return isId(m.announcementId) ? { event: m.event, announcementId: m.announcementId } : null;
    case "announcement.reaction":
      return isId(m.announcementId) && typeof m.name === "string" && typeof m.count === "number"
        ? { event: m.event, announcementId: m.announcementId, name: m.name, count: m.count }
        : null;
    default:
      return null;
  }
}
