import { formatPlainText } from "../../../domain/text-format.ts";
import type { AnnouncementView } from "../../../services/announcements/announcements.ts";
import type { CustomEmojiRecord } from "../../../ports/repositories/custom-emojis.ts";
import type { TrendingItem } from "../../../services/trends/trends.ts";
import { tagUrl } from "./tag.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** Mastodon's CustomEmoji entity. */
export function renderCustomEmoji(mediaUrl: (key: string) => string, e: CustomEmojiRecord): Record<string, unknown> {
  return { shortcode: e.shortcode, url: mediaUrl(e.imageKey), static_url: mediaUrl(e.staticKey), visible_in_picker: e.visibleInPicker, category: e.category };
}

/**
 * Mastodon's Announcement entity. The text is plain and rendered as a bio is (paragraphs, links); mentions,
 * linked statuses and tags are not extracted from it, so those lists are empty.
 */
export function renderAnnouncement(
  mediaUrl: (key: string) => string,
  view: AnnouncementView,
  emojis: readonly CustomEmojiRecord[],
  emojiById: ReadonlyMap<bigint, CustomEmojiRecord>,
): Record<string, unknown> {
  const a = view.announcement;
  return {
    id: String(a.id),
    content: formatPlainText(a.text),
    starts_at: a.startsAt === null ? null : iso(a.startsAt),
    ends_at: a.endsAt === null ? null : iso(a.endsAt),
    all_day: a.allDay && a.startsAt !== null,
    published_at: iso(a.publishedAt ?? a.createdAt),
    updated_at: iso(a.updatedAt),
    read: view.read,
    mentions: [],
    statuses: [],
    tags: [],
    emojis: emojis.map((e) => renderCustomEmoji(mediaUrl, e)),
    reactions: view.reactions.map((r) => {
      const custom = r.customEmojiId === null ? undefined : emojiById.get(r.customEmojiId);
      const out: Record<string, unknown> = { name: r.name, count: r.count, me: r.me };
      if (custom) {
        out.url = mediaUrl(custom.imageKey);
        out.static_url = mediaUrl(custom.staticKey);
      }
      return out;
    }),
  };
}

function history(item: TrendingItem) {
  return item.history.map((d) => ({ day: String(Math.floor(d.day / 1000)), uses: String(d.uses), accounts: String(d.accounts) }));
}

/**
 * Mastodon's Tag entity for a trending tag; `viewer` (null when anonymous) adds whether they follow and feature it.
 */
export function renderTrendingTag(
  baseUrl: string,
  item: TrendingItem,
  viewer: { following: ReadonlySet<string>; featuring: ReadonlySet<string> } | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: item.id ?? "", name: item.name, url: tagUrl(baseUrl, item.key ?? item.name), history: history(item) };
  if (viewer) {
    out.following = viewer.following.has(item.id ?? "");
    out.featuring = viewer.featuring.has(item.id ?? "");
  }
  return out;
}

/**
 * Mastodon's Trends::Link: a PreviewCard with history. Herd fetches no link previews, so the card holds only what
 * the URL itself says: the title is the URL and the provider is its host; everything a fetched page would fill
 * (description, image, author, embed) is empty, as Mastodon's own card is before its preview fetch succeeds. Like
 * Mastodon's, `author_url` and `embed_url` are then empty strings, which the OpenAPI document's "uri" format
 * does not allow: the one way these entities differ from the spec, and the same way Mastodon's do.
 */
export function renderTrendingLink(item: TrendingItem): Record<string, unknown> {
  let host = "";
  let origin = "";
  try {
    const u = new URL(item.name);
    host = u.hostname;
    origin = `${u.origin}/`;
  } catch {
    // findUrls only yields parseable URLs; an odd one keeps an empty provider.
  }
  return {
    url: item.name,
    title: item.name,
    description: "",
    type: "link",
    author_name: "",
    author_url: "",
    authors: [],
    provider_name: host,
    provider_url: origin,
    html: "",
    width: 0,
    height: 0,
    image: null,
    image_description: "",
    embed_url: "",
    blurhash: null,
    published_at: null,
    language: null,
    history: history(item),
  };
}
