import { parseId } from "../../domain/ids.ts";
import { MAX_MEDIA_ATTACHMENTS, parseFocus } from "../../domain/media.ts";
import type { Repositories } from "../../ports/repositories/index.ts";
import type { MediaMeta, MediaRecord } from "../../ports/repositories/media.ts";

/**
 * Checks the `media_ids` of a post or an edit as Mastodon's PostStatusService and UpdateStatusService do: at
 * most 4 and none with a poll ("Cannot attach more than 4 files"), each the author's own and not attached to
 * another status (`statusId` is the status being edited, whose own media stay allowed), no audio or video beside
 * other media, all processed. Returns the attachments in the order given, or Mastodon's message.
 */
export async function checkStatusMedia(
  repos: Repositories,
  accountId: bigint,
  rawIds: readonly string[],
  options: { hasPoll: boolean; statusId?: bigint },
): Promise<{ media: MediaRecord[] } | { problem: string }> {
  if (rawIds.length === 0) return { media: [] };
  if (rawIds.length > MAX_MEDIA_ATTACHMENTS || options.hasPoll) return { problem: "Cannot attach more than 4 files" };
  const ids: bigint[] = [];
  const unknown: string[] = [];
  for (const raw of rawIds) {
    const id = parseId(raw);
    if (id === null) unknown.push(raw);
    else if (!ids.includes(id)) ids.push(id);
  }
  const found = new Map((await repos.media.findByIds(ids)).map((m) => [m.id, m]));
  const usable = (m: MediaRecord | undefined) => m !== undefined && m.accountId === accountId && (m.statusId === null || m.statusId === options.statusId);
  for (const id of ids) if (!usable(found.get(id))) unknown.push(String(id));
  if (unknown.length > 0) return { problem: `Media ${unknown.join(", ")} not found or already attached to another post` };
  const media = ids.map((id) => found.get(id)!);
  if (media.length > 1 && media.some((m) => m.type === "audio" || m.type === "video")) return { problem: "Cannot attach a video to a post that already contains images" };
  if (media.some((m) => m.processing !== "complete")) return { problem: "Cannot attach files that have not finished processing. Try again in a moment!" };
  return { media };
}

/** One entry of an edit's `media_attributes[]`. */
export interface MediaAttributes {
  readonly id: string;
  readonly description?: string;
  readonly focus?: string;
}

/**
 * The description and focus changes an edit's `media_attributes` make to the attachments it keeps (entries for
 * other ids are ignored, as in Mastodon); only real changes are returned. Descriptions longer than the limit are cut.
 */
export function mediaAttributeChanges(
  media: readonly MediaRecord[],
  attributes: readonly MediaAttributes[],
  descriptionLimit = 1_500,
): { id: bigint; description?: string | null; meta?: MediaMeta }[] {
  const out: { id: bigint; description?: string | null; meta?: MediaMeta }[] = [];
  for (const attr of attributes) {
    const m = media.find((x) => String(x.id) === attr.id);
    if (!m) continue;
    const change: { id: bigint; description?: string | null; meta?: MediaMeta } = { id: m.id };
    if (attr.description !== undefined) {
      const description = attr.description === "" ? null : [...attr.description].slice(0, descriptionLimit).join("");
      if (description !== m.description) change.description = description;
    }
    const focus = parseFocus(attr.focus);
    if (focus && (focus.x !== m.meta.focus?.x || focus.y !== m.meta.focus?.y)) change.meta = { ...m.meta, focus };
    if (change.description !== undefined || change.meta !== undefined) out.push(change);
  }
  return out;
}
