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
import { FORGOTTEN_PREFIX, forgetInstanceCaches, INSTANCE_CACHE_KEYS, refreshInstanceCachesJob } from "../instance/cache-jobs.ts";

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

/** The table as one process last read it, with the version it was stored under. */
let lastTable: { readonly version: string; readonly table: ReadonlyMap<string, CustomEmojiRecord> } | null = null;
const tableKey = (version: string) => `${INSTANCE_CACHE_KEYS.emojis}:${version}`;

/**
 * The enabled local emojis by shortcode. Read on every page of statuses, and an instance may have thousands,
 * so the cache holds a small version key and the table under that version: a page costs one read of the
 * version, and the table is fetched and parsed only by a process that has not seen that version yet. A change
 * (forgetInstanceCaches) marks the version forgotten; the next reader builds the table from the database and
 * stores it under a new version, unless the table changed again meanwhile (compare-and-set on the version).
 * The returned map is shared: callers must not change it.
 */
export async function customEmojiTable(deps: EmojiDeps): Promise<ReadonlyMap<string, CustomEmojiRecord>> {
  const seen = await deps.cache.get(INSTANCE_CACHE_KEYS.emojis);
  if (seen !== null && !seen.startsWith(FORGOTTEN_PREFIX)) {
    const last = lastTable;
    if (last?.version === seen) return last.table;
    const stored = await deps.cache.get(tableKey(seen));
    const list = stored === null ? null : parseTable(stored);
    if (list) {
      const table = new Map(list.map((e) => [e.shortcode, e]));
      lastTable = { version: seen, table };
      return table;
    }
  }
  const list = (await deps.db.repos.customEmojis.listLocal()).filter((e) => !e.disabled);
  const table = new Map(list.map((e) => [e.shortcode, e]));
  const version = randomBytes(8).toString("hex");
  // The table outlives its version key, so a reader that read the version always finds the table.
  await deps.cache.set(tableKey(version), JSON.stringify(list.map((e) => ({ ...e, id: String(e.id) }))), TABLE_CACHE_MS * 2);
  if (await deps.cache.compareAndSet(INSTANCE_CACHE_KEYS.emojis, seen, version, TABLE_CACHE_MS)) lastTable = { version, table };
  return table;
}

function parseTable(json: string): CustomEmojiRecord[] | null {
  try {
    const list = JSON.parse(json) as CachedEmoji[];
    return Array.isArray(list) ? list.map((e) => ({ ...e, id: BigInt(e.id) })) : null;
  } catch {
    return null;
  }
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
