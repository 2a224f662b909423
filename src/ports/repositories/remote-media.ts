import type { MediaType } from "../../domain/media.ts";
import type { MediaMeta } from "./media.ts";

/** A remote attachment's cache state: its origin URL and which local files hold a copy. */
export interface RemoteMediaRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly type: MediaType;
  readonly remoteUrl: string;
  /** Local copies; null while not cached. */
  readonly fileKey: string | null;
  readonly smallKey: string | null;
  readonly thumbnailKey: string | null;
  readonly uploadKey: string | null;
  readonly fileSize: number | null;
  /** When the cache was last filled or viewed; null if never. */
  readonly lastUsedAt: number | null;
  readonly createdAt: number;
}

/** A remote attachment as federation learns of it (the file is fetched later, on the pull queue). */
export interface NewRemoteMedia {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly type: MediaType;
  readonly remoteUrl: string;
  readonly description: string | null;
  readonly blurhash: string | null;
  readonly meta: MediaMeta;
  readonly now: number;
}

/** What filling the cache of a remote image writes. */
export interface CachedRemoteImage {
  readonly fileKey: string;
  readonly fileContentType: string;
  readonly fileSize: number;
  readonly smallKey: string;
  readonly meta: MediaMeta;
  readonly blurhash: string | null;
}

export type ProfileImage = "avatar" | "header";

/** A remote account's profile images: origin URLs and cached copies. */
export interface RemoteProfileRecord {
  readonly accountId: bigint;
  readonly avatarRemoteUrl: string | null;
  readonly headerRemoteUrl: string | null;
  readonly avatarKey: string | null;
  readonly headerKey: string | null;
  readonly usedAt: number | null;
}

/** The remote media cache: attachments of remote statuses and remote accounts' avatars and headers. */
export interface RemoteMediaRepository {
  /** Stores a remote attachment, not yet cached (status_id is set when its status is stored). */
  create(input: NewRemoteMedia): Promise<void>;
  /** The remote attachment with this id, or null (also for a local upload). */
  findById(id: bigint): Promise<RemoteMediaRecord | null>;
  /** Records an image's cached files and marks it processed and used now; false if the row is gone or cached already. */
  cacheImage(id: bigint, files: CachedRemoteImage, now: number): Promise<boolean>;
  /**
   * Hands a fetched audio/video file to the upload processing: sets upload_key and processing "queued" when the
   * row is not cached; false otherwise (the caller deletes the file).
   */
  queueForProcessing(id: bigint, uploadKey: string, now: number): Promise<boolean>;
  /** How many remote attachments are cached, and their originals' bytes (`herd admin media usage`). */
  cacheUsage(): Promise<{ count: number; bytes: number }>;
  /** Sets last_used_at to `now` for these attachments (ones viewed while cached). */
  touch(ids: readonly bigint[], now: number): Promise<void>;
  /**
   * Cached remote attachments not used since `before` (last_used_at, else created_at), oldest first, after
   * `afterId` (for paging), at most `limit`.
   */
  cachedNotUsedSince(before: number, limit: number, afterId?: bigint): Promise<RemoteMediaRecord[]>;
  /**
   * Forgets the cached files of an attachment (keys to null, processing back to "queued" so the file is fetched
   * again on demand), keeping the row; only if its keys are still `expectedFileKey` (a concurrent re-fetch wins).
   */
  uncache(id: bigint, expectedFileKey: string | null): Promise<boolean>;
  /** Records a remote account's avatar/header origin URLs (federation calls it when it stores the actor). */
  setProfileUrls(accountId: bigint, urls: { avatar: string | null; header: string | null }): Promise<void>;
  /** A remote account's profile images, or null for a local or missing account. */
  findProfile(accountId: bigint): Promise<RemoteProfileRecord | null>;
  /** Sets the cached copy of a remote account's avatar or header (null removes it) and marks it used now. */
  setProfileImage(accountId: bigint, which: ProfileImage, key: string | null, now: number): Promise<void>;
  /** Sets profile_media_used_at to `now` for these remote accounts. */
  touchProfiles(accountIds: readonly bigint[], now: number): Promise<void>;
  /** Remote accounts with a cached avatar or header not used since `before`, by id after `afterId`, at most `limit`. */
  cachedProfilesNotUsedSince(before: number, limit: number, afterId?: bigint): Promise<RemoteProfileRecord[]>;
}
