import type { Readable } from "node:stream";

export interface StoredObject {
  readonly body: Readable;
  /** Bytes in `body`: the length of the range when a range was served, else of the whole object. */
  readonly size: number;
  readonly contentType: string;
  /** Present when a byte range was asked for and served. */
  readonly range?: { readonly start: number; readonly end: number; readonly total: number };
}

export interface PutOptions {
  readonly contentType: string;
  /** Defaults to a year, immutable: keys are never reused for other content. */
  readonly cacheControl?: string;
}

/**
 * Where media files live: a local directory or an S3-compatible bucket. Keys are paths such as
 * `media_attachments/files/110/…/original/ab12cd.png`; they are unguessable because callers put random parts in them.
 */
export interface MediaStore {
  readonly kind: "local" | "s3";
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void>;
  /**
   * The object, or null when it does not exist. `range` is inclusive, as in HTTP: an `end` past the last byte is
   * clamped; a `start` at or past the end throws RangeNotSatisfiableError (HTTP 416).
   */
  get(key: string, range?: { start: number; end?: number }): Promise<StoredObject | null>;
  exists(key: string): Promise<boolean>;
  /** Deletes; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix (for migration and cleanup), in key order, `limit` at a time after `after`. */
  list(prefix: string, after: string | null, limit: number): Promise<{ key: string; size: number }[]>;
  /** The public URL clients use for the key. */
  url(key: string): string;
  /** Checks at start-up that the store is reachable and writable; throws an error naming the fix. */
  check(): Promise<void>;
  /** Releases connections (S3 keeps sockets alive); the store is unusable afterwards. */
  close(): Promise<void>;
}

/** A range that starts at or past the end of the object; `size` is the object's length, for the 416 response's Content-Range. */
export class RangeNotSatisfiableError extends Error {
  readonly size: number;
  constructor(key: string, start: number, size: number) {
    super(`range starting at byte ${start} is outside ${JSON.stringify(key)} (${size} bytes)`);
    this.name = "RangeNotSatisfiableError";
    this.size = size;
  }
}
