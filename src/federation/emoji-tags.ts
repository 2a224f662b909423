import { Emoji, Link, type Object as APObject } from "@fedify/fedify/vocab";
import { cleanRemoteEmojis, MAX_REMOTE_EMOJIS, type RemoteEmojiInput } from "../services/emojis/remote-emojis.ts";
import { offlineOptions } from "./inbox/objects.ts";

/** Emoji tags read from one object before the rest are ignored (invalid ones included). */
const MAX_EMOJI_TAGS = MAX_REMOTE_EMOJIS * 4;

/** A toot:Emoji tag as plain data: its name, the URL of its icon and its id (not yet checked: see emojiTagsOf). */
export async function emojiTag(tag: Emoji): Promise<RemoteEmojiInput | null> {
  const name = tag.name === null ? "" : String(tag.name);
  // Only an embedded icon counts: Mastodon reads icon.url and fetches nothing to find it.
  const icon = await tag.getIcon({ ...offlineOptions(), crossOrigin: "trust" }).catch(() => null);
  const u = icon?.url;
  const url = u instanceof URL ? u.href : u instanceof Link ? (u.href?.href ?? null) : null;
  return url === null ? null : { shortcode: name, url, uri: tag.id?.href ?? null };
}

/**
 * The custom emojis an actor or post tags, checked as the services store them (shortcode rule, http(s) icon,
 * at most MAX_REMOTE_EMOJIS). Only embedded tags are read; a tag given as a bare URL is not fetched.
 */
export async function emojiTagsOf(object: APObject): Promise<RemoteEmojiInput[]> {
  const found: RemoteEmojiInput[] = [];
  let seen = 0;
  try {
    // An Emoji's id may be on another host than the post (a media domain, or the icon's own URL, as Pleroma
    // sends them): it is trusted as embedded, since the emoji is stored under the author's domain whatever its id.
    for await (const tag of object.getTags({ ...offlineOptions(), crossOrigin: "trust" })) {
      if (!(tag instanceof Emoji)) continue;
      if (++seen > MAX_EMOJI_TAGS) break;
      const e = await emojiTag(tag);
      if (e) found.push(e);
    }
  } catch {
    // Unreadable tags leave the emojis read so far.
  }
  return cleanRemoteEmojis(found);
}
