import type { Focus, MediaProcessing, MediaType } from "../../domain/media.ts";

/** Mastodon's `meta` of an attachment: geometry of each file, focus, and for audio/video the stream facts. */
export type MediaMeta = Record<string, unknown> & { focus?: Focus };

/** A media attachment as stored. Keys name files in the MediaStore; null until there is such a file. */
export interface MediaRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly statusId: bigint | null;
  readonly type: MediaType;
  readonly processing: MediaProcessing;
  /** Why processing failed (shown to the uploader), when it did. */
  readonly processingError: string | null;
  readonly uploadKey: string | null;
  readonly fileKey: string | null;
  readonly fileContentType: string | null;
  readonly fileSize: number | null;
  readonly smallKey: string | null;
  readonly thumbnailKey: string | null;
  readonly meta: MediaMeta;
  readonly description: string | null;
  readonly blurhash: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** A remote attachment's file at its origin (then the keys are the local cache, null when not cached). */
  readonly remoteUrl?: string | null;
  /** When a remote attachment's cache was last filled or viewed. */
  readonly lastUsedAt?: number | null;
}

export interface NewMedia {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly type: MediaType;
  readonly processing: MediaProcessing;
  readonly uploadKey: string | null;
  readonly fileKey: string | null;
  readonly fileContentType: string | null;
  readonly fileSize: number | null;
  readonly smallKey: string | null;
  readonly thumbnailKey: string | null;
  readonly meta: MediaMeta;
  readonly description: string | null;
  readonly blurhash: string | null;
  readonly now: number;
}

/** What processing (or a failure) writes back. */
export interface ProcessedMediaChange {
  readonly type?: MediaType;
  readonly processing: MediaProcessing;
  readonly processingError?: string | null;
  readonly uploadKey?: string | null;
  readonly fileKey?: string | null;
  readonly fileContentType?: string | null;
  readonly fileSize?: number | null;
  readonly smallKey?: string | null;
  readonly meta?: MediaMeta;
  readonly blurhash?: string | null;
}

/** Bytes and counts of stored attachments, by type. */
export interface MediaUsageRow {
  readonly type: MediaType;
  readonly count: number;
  readonly bytes: number;
}

/** Media attachments. */
export interface MediaRepository {
  /** Stores a new, unattached attachment. */
  create(input: NewMedia): Promise<void>;
  /** The attachment, attached or not, or null. */
  findById(id: bigint): Promise<MediaRecord | null>;
  /** The attachments with these ids, in no particular order. */
  findByIds(ids: readonly bigint[]): Promise<MediaRecord[]>;
  /** Attachments of these statuses, by status id, each list in the order of the status's media_attachment_ids. */
  forStatuses(statuses: readonly { id: bigint; mediaAttachmentIds: readonly bigint[] | null }[]): Promise<Map<bigint, MediaRecord[]>>;
  /** Writes what processing produced; `onlyIf` guards against a concurrent change (false when the row moved on). */
  updateProcessing(id: bigint, change: ProcessedMediaChange, now: number, onlyIf?: MediaProcessing[]): Promise<boolean>;
  /** Sets description, focus (inside meta) and the custom thumbnail; undefined leaves a field as it is. */
  updateDetails(id: bigint, change: { description?: string | null; meta?: MediaMeta; thumbnailKey?: string | null; blurhash?: string | null }, now: number): Promise<void>;
  /**
   * Attaches `mediaIds` (in order) to a status: sets their status_id, only where it is still null and the
   * account owns them, and the status's media_attachment_ids to those it now holds. Returns how many were attached.
   */
  attach(statusId: bigint, accountId: bigint, mediaIds: readonly bigint[]): Promise<number>;
  /** Replaces a status's attachments (an edit): detaches the others, attaches the new ones, keeps the order. */
  replaceAttachments(statusId: bigint, accountId: bigint, mediaIds: readonly bigint[]): Promise<void>;
  /** Deletes the row (the caller removes the files); false when it was already gone. */
  delete(id: bigint): Promise<boolean>;
  /**
   * Marks the account's unattached `mediaIds` as held by a pending scheduled status (Mastodon's
   * scheduled_status_id), so the unattached cleanup spares them until it is published or cancelled.
   */
  reserveForScheduled(scheduledStatusId: bigint, accountId: bigint, mediaIds: readonly bigint[]): Promise<void>;
  /** Clears the mark of a cancelled or dropped scheduled status: its uploads fall back to the unattached cleanup. */
  releaseScheduled(scheduledStatusId: bigint): Promise<void>;
  /**
   * Unattached uploads created before `before`, oldest first, at most `limit`; those a still-pending scheduled
   * status holds are left out.
   */
  unattachedBefore(before: number, limit: number): Promise<MediaRecord[]>;
  /** Detaches a deleted status's attachments, so a redraft may reuse them (the unattached cleanup removes the rest). */
  detach(statusId: bigint): Promise<void>;
  /** Local attachments' bytes by type. */
  usage(): Promise<MediaUsageRow[]>;
}
