import { randomBytes } from "node:crypto";
import { emojisIn, SHORTCODE_RE } from "../../domain/custom-emoji.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { ImageProcessor } from "../../ports/images.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { MediaStore } from "../../ports/media-store.ts";
import type { CustomEmojiRecord } from "../../ports/repositories/custom-emojis.ts";
import { forgetInstanceCaches, INSTANCE_CACHE_KEYS, refreshInstanceCachesJob } from "../instance/cache-jobs.ts";

/** Mastodon's CustomEmoji limits: 256 KB per local image, shortcodes of two or more word characters. */
export const EMOJI_MAX_BYTES = 256 * 1024;
/** Emojis are shown at text size; 256 px covers high-density screens without keeping huge uploads. */
const EMOJI_MAX_SIDE = 256;
/** The table changes rarely (admin CLI, which drops the copy); the expiry only bounds a missed invalidation. */
const TABLE_CACHE_MS = 10 * 60_000;


export interface EmojiDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

export interface EmojiWriteDeps extends EmojiDeps {
  readonly media: MediaStore;
  readonly images: ImageProcessor;
}

export type EmojiError =
  | { readonly kind: "invalid"; readonly message: string }
  | { readonly kind: "taken" }
  | { readonly kind: "not_found" };


type CachedEmoji = Omit<CustomEmojiRecord, "id"> & { id: string };

/**
 * The enabled local emojis by shortcode. Read on every page of statuses, so it is kept in the cache: one cache
 * read per page instead of a query.
 */
export async function customEmojiTable(deps: EmojiDeps): Promise<Map<string, CustomEmojiRecord>> {
  const cached = await deps.cache.get(INSTANCE_CACHE_KEYS.emojis);
  let list: CustomEmojiRecord[] | null = null;
  if (cached) {
    try {
      list = (JSON.parse(cached) as CachedEmoji[]).map((e) => ({ ...e, id: BigInt(e.id) }));
    } catch {
      list = null;
    }
  }
  if (!list) {
    list = (await deps.db.repos.customEmojis.listLocal()).filter((e) => !e.disabled);
    await deps.cache.set(INSTANCE_CACHE_KEYS.emojis, JSON.stringify(list.map((e) => ({ ...e, id: String(e.id) }))), TABLE_CACHE_MS);
  }
  return new Map(list.map((e) => [e.shortcode, e]));
}

/** The emojis of the table that `texts` use, in shortcode order. */
export function emojisUsed(table: ReadonlyMap<string, CustomEmojiRecord>, ...texts: readonly string[]): CustomEmojiRecord[] {
  return emojisIn(table, ...texts);
}

/** Every local emoji, disabled ones included (for the CLI). */
export function listCustomEmojis(deps: EmojiDeps): Promise<CustomEmojiRecord[]> {
  return deps.db.repos.customEmojis.listLocal();
}

async function changed(deps: EmojiDeps): Promise<void> {
  await deps.db.enqueue([jobRequest(refreshInstanceCachesJob, { reason: "custom emojis" })]);
  await forgetInstanceCaches(deps.cache);
}

/**
 * Adds a local custom emoji from an image file (PNG, GIF or WebP, at most 256 KB, as Mastodon). The image is
 * stored re-encoded without metadata (animation kept), with a static PNG for `static_url`, under keys with 128
 * random bits.
 */
export async function addCustomEmoji(
  deps: EmojiWriteDeps,
  input: { shortcode: string; image: Uint8Array; category?: string | null; visibleInPicker?: boolean },
): Promise<Result<CustomEmojiRecord, EmojiError>> {
  const shortcode = input.shortcode.replace(/^:|:$/g, "");
  if (!SHORTCODE_RE.test(shortcode))
    return err({ kind: "invalid", message: "the shortcode must be at least 2 letters, digits or underscores" });
  const category = input.category?.trim() || null;
  if (category !== null && category.length > 64) return err({ kind: "invalid", message: "the category is longer than 64 characters" });
  if (input.image.byteLength === 0) return err({ kind: "invalid", message: "the image file is empty" });
  if (input.image.byteLength > EMOJI_MAX_BYTES) return err({ kind: "invalid", message: "the image is larger than 256 KB" });
  if (await deps.db.repos.customEmojis.findLocal(shortcode)) return err({ kind: "taken" });
  const processed = await deps.images.fitWithStill(Buffer.from(input.image.buffer, input.image.byteOffset, input.image.byteLength), EMOJI_MAX_SIDE);
  if ("problem" in processed) {
    const why =
      processed.problem === "unsupported" ? "must be a PNG, GIF or WebP image" : processed.problem === "too_large" ? "has too many pixels" : "could not be read as an image";
    return err({ kind: "invalid", message: `the image ${why}` });
  }
  const random = randomBytes(16).toString("hex");
  const imageKey = `custom_emojis/images/original/${random}.${processed.image.extension}`;
  const staticKey = `custom_emojis/images/static/${random}.png`;
  await deps.media.put(imageKey, processed.image.data, { contentType: processed.image.contentType });
  await deps.media.put(staticKey, processed.still.data, { contentType: processed.still.contentType });
  const record: CustomEmojiRecord = {
    id: await deps.db.nextId(),
    shortcode,
    domain: null,
    imageKey,
    staticKey,
    category,
    visibleInPicker: input.visibleInPicker ?? true,
    disabled: false,
    createdAt: deps.clock.now(),
  };
  if (!(await deps.db.repos.customEmojis.createLocal(record))) {
    await Promise.all([deps.media.delete(imageKey), deps.media.delete(staticKey)]).catch(() => undefined);
    return err({ kind: "taken" });
  }
  await changed(deps);
  return ok(record);
}

/** Removes a local emoji and its files. Texts that use it show the plain `:shortcode:` again. */
export async function removeCustomEmoji(deps: EmojiWriteDeps, shortcode: string): Promise<Result<CustomEmojiRecord, EmojiError>> {
  const removed = await deps.db.repos.customEmojis.removeLocal(shortcode.replace(/^:|:$/g, ""));
  if (!removed) return err({ kind: "not_found" });
  await changed(deps);
  await Promise.all([deps.media.delete(removed.imageKey), deps.media.delete(removed.staticKey)]).catch(() => undefined);
  return ok(removed);
}
