import type { Readable } from "node:stream";
import { assertMediaKey, compareKeys, encodeKeyPath } from "../domain/media-keys.ts";
import type { MediaStore, PutOptions, StoredObject } from "../ports/media-store.ts";

/**
 * The media store while media moves from one store to another (MEDIA_MIGRATION_FROM): new files go to the new
 * store, reads try the new store and fall back to the old one for keys `herd admin media migrate` has not copied
 * yet, and deletes reach both. Every URL is Herd's own `/system/…`, because only Herd can answer for a key whose
 * file may be in either store: a bucket URL would 404 for a key not copied yet, and the /system/ route serves
 * through this store's fallback. It counts as a local store for that reason (`kind`: Herd serves its URLs).
 */
export class MigratingMediaStore implements MediaStore {
  readonly kind = "local" as const;
  readonly target: MediaStore;
  readonly source: MediaStore;
  #publicBaseUrl: string;

  constructor(target: MediaStore, source: MediaStore, publicBaseUrl: string) {
    this.target = target;
    this.source = source;
    this.#publicBaseUrl = publicBaseUrl.replace(/\/+$/, "");
  }

  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    return this.target.put(key, body, options);
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<StoredObject | null> {
    return (await this.target.get(key, range)) ?? (await this.source.get(key, range));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.target.exists(key)) || (await this.source.exists(key));
  }

  async delete(key: string): Promise<void> {
    // The new store first: the migration re-checks the old store after each copy and drops a copy whose
    // original has gone meanwhile, so a delete racing a copy leaves nothing behind.
    await this.target.delete(key);
    await this.source.delete(key);
  }

  async list(prefix: string, after: string | null, limit: number): Promise<{ key: string; size: number }[]> {
    const [fromTarget, fromSource] = await Promise.all([this.target.list(prefix, after, limit), this.source.list(prefix, after, limit)]);
    // Both pages are in key order and each holds the first `limit` keys of its store: the merge's first `limit`
    // are the first of the union. A key in both stores is listed once, with the new store's size.
    const merged: { key: string; size: number }[] = [];
    let i = 0;
    let j = 0;
    while (merged.length < limit && (i < fromTarget.length || j < fromSource.length)) {
      const a = fromTarget[i];
      const b = fromSource[j];
      const order = a && b ? compareKeys(a.key, b.key) : a ? -1 : 1;
      if (order <= 0) {
        merged.push(a);
        i++;
        if (order === 0) j++;
      } else {
        merged.push(b);
        j++;
      }
    }
    return merged;
  }

  url(key: string): string {
    assertMediaKey(key);
    return `${this.#publicBaseUrl}/system/${encodeKeyPath(key)}`;
  }

  /** The new store must take writes; the old one is only read, and may already be read-only. */
  check(): Promise<void> {
    return this.target.check();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.target.close(), this.source.close()]);
  }
}
