import { randomBytes } from "node:crypto";
import type { ImageProcessor } from "../../ports/images.ts";
import type { MediaStore } from "../../ports/media-store.ts";

export type ProfileImageKind = "avatar" | "header";

/** Mastodon's sizes: avatars are cropped square, headers to 3:1. */
export const PROFILE_IMAGE_SIZES: Record<ProfileImageKind, { width: number; height: number }> = {
  avatar: { width: 400, height: 400 },
  header: { width: 1500, height: 500 },
};
/** Largest upload accepted for either picture. */
export const PROFILE_IMAGE_MAX_BYTES = 8 * 1024 * 1024;

const LABEL: Record<ProfileImageKind, string> = { avatar: "Avatar", header: "Header" };
const FOLDER: Record<ProfileImageKind, string> = { avatar: "avatars", header: "headers" };

export interface ProfileImageDeps {
  readonly media: MediaStore;
  readonly images: ImageProcessor;
}

/**
 * Processes an uploaded avatar or header and stores it under a key with 128 random bits
 * (`accounts/avatars/<id>/<random>.<ext>`), so nobody can guess or enumerate the files. Returns the new key, or
 * the client-facing reason the upload was refused.
 */
export async function storeProfileImage(deps: ProfileImageDeps, accountId: bigint, kind: ProfileImageKind, upload: Uint8Array): Promise<{ key: string } | { problem: string }> {
  const label = LABEL[kind];
  if (upload.byteLength === 0) return { problem: `Validation failed: ${label} is empty` };
  if (upload.byteLength > PROFILE_IMAGE_MAX_BYTES) return { problem: `Validation failed: ${label} file size must be less than 8 MB` };
  const { width, height } = PROFILE_IMAGE_SIZES[kind];
  const processed = await deps.images.cover(Buffer.from(upload.buffer, upload.byteOffset, upload.byteLength), width, height);
  if ("problem" in processed) {
    const why =
      processed.problem === "too_large"
        ? "has too many pixels"
        : processed.problem === "unsupported"
          ? "must be a JPEG, PNG, GIF or WebP image"
          : "could not be read as an image";
    return { problem: `Validation failed: ${label} ${why}` };
  }
  const key = `accounts/${FOLDER[kind]}/${accountId}/${randomBytes(16).toString("hex")}.${processed.extension}`;
  await deps.media.put(key, processed.data, { contentType: processed.contentType });
  return { key };
}

/** Deletes stored files, ignoring failures: an orphaned file is harmless and the cleanup must not fail a request. */
export async function deleteStoredFiles(media: MediaStore, keys: readonly (string | null | undefined)[]): Promise<void> {
  await Promise.all(keys.filter((k): k is string => !!k).map((k) => media.delete(k).catch(() => undefined)));
}
