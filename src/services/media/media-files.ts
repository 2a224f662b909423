import { randomBytes } from "node:crypto";
import type { MediaStore } from "../../ports/media-store.ts";
import type { MediaRecord } from "../../ports/repositories/media.ts";

export type MediaStyle = "original" | "small" | "thumbnail";

/**
 * A new key for one of an attachment's files: its id and 128 random bits, so nobody can guess or enumerate
 * another account's files (private statuses' media included). Keys are never reused.
 */
export function mediaFileKey(mediaId: bigint, style: MediaStyle, extension: string): string {
  return `media_attachments/files/${mediaId}/${style}/${randomBytes(16).toString("hex")}.${extension}`;
}

/** Where a raw upload waits for its processing job. */
export function uploadKey(mediaId: bigint): string {
  return `media_attachments/uploads/${mediaId}/${randomBytes(16).toString("hex")}`;
}

/** Reads a stored object whole, refusing one larger than `maxBytes`; null when it is missing. */
export async function readStored(store: MediaStore, key: string, maxBytes: number): Promise<Buffer | null> {
  const object = await store.get(key);
  if (!object) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of object.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      object.body.destroy();
      throw new Error(`stored object ${key} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Every file key an attachment holds. */
export function keysOf(m: Pick<MediaRecord, "uploadKey" | "fileKey" | "smallKey" | "thumbnailKey">): string[] {
  return [m.uploadKey, m.fileKey, m.smallKey, m.thumbnailKey].filter((k): k is string => !!k);
}

/** Deletes files, ignoring failures: an orphaned file is harmless, and cleanup must not fail a request. */
export async function deleteFiles(store: MediaStore, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((k) => store.delete(k).catch(() => undefined)));
}
