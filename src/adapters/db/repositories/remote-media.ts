import { sql, type Kysely } from "kysely";
import type { MediaType } from "../../../domain/media.ts";
import type {
  CachedRemoteImage, NewRemoteMedia, ProfileImage, RemoteMediaRecord, RemoteMediaRepository, RemoteProfileRecord,
} from "../../../ports/repositories/remote-media.ts";
import { inIds } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toId, toNum, toNumOrNull } from "./convert.ts";

const MEDIA_COLUMNS = [
  "id", "account_id", "type", "remote_url", "file_key", "small_key", "thumbnail_key", "upload_key", "file_size", "last_used_at", "created_at",
] as const;

function toRemote(r: any): RemoteMediaRecord {
  return {
    id: toId(r.id), accountId: toId(r.account_id), type: r.type as MediaType, remoteUrl: r.remote_url,
    fileKey: r.file_key, smallKey: r.small_key, thumbnailKey: r.thumbnail_key, uploadKey: r.upload_key,
    fileSize: toNumOrNull(r.file_size), lastUsedAt: toNumOrNull(r.last_used_at), createdAt: toNum(r.created_at),
  };
}

const PROFILE_COLUMNS = ["id", "avatar_remote_url", "header_remote_url", "avatar_key", "header_key", "profile_media_used_at"] as const;

function toProfile(r: any): RemoteProfileRecord {
  return {
    accountId: toId(r.id), avatarRemoteUrl: r.avatar_remote_url, headerRemoteUrl: r.header_remote_url,
    avatarKey: r.avatar_key, headerKey: r.header_key, usedAt: toNumOrNull(r.profile_media_used_at),
  };
}

export class KyselyRemoteMediaRepository implements RemoteMediaRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(m: NewRemoteMedia): Promise<void> {
    await this.#db
      .insertInto("media_attachments")
      .values({
        id: m.id, account_id: m.accountId, status_id: null, type: m.type, processing: "queued", processing_error: null,
        upload_key: null, file_key: null, file_content_type: null, file_size: null, small_key: null, thumbnail_key: null,
        meta: JSON.stringify(m.meta), description: m.description, blurhash: m.blurhash, created_at: m.now, updated_at: m.now,
        scheduled_status_id: null, remote_url: m.remoteUrl, last_used_at: null,
      })
      .execute();
  }

  async findById(id: bigint): Promise<RemoteMediaRecord | null> {
    const row = await this.#db.selectFrom("media_attachments").select(MEDIA_COLUMNS).where("id", "=", id).where("remote_url", "is not", null).executeTakeFirst();
    return row ? toRemote(row) : null;
  }

  async cacheImage(id: bigint, f: CachedRemoteImage, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("media_attachments")
      .set({
        // The file decides the type (Mastodon's type corrector): an origin may call a still picture a video.
        type: "image", processing: "complete", processing_error: null, file_key: f.fileKey, file_content_type: f.fileContentType, file_size: f.fileSize,
        small_key: f.smallKey, meta: JSON.stringify(f.meta), blurhash: f.blurhash, last_used_at: now, updated_at: now,
      })
      .where("id", "=", id)
      .where("remote_url", "is not", null)
      .where("file_key", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async queueForProcessing(id: bigint, uploadKey: string, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("media_attachments")
      .set({ processing: "queued", processing_error: null, upload_key: uploadKey, last_used_at: now, updated_at: now })
      .where("id", "=", id)
      .where("remote_url", "is not", null)
      .where("file_key", "is", null)
      .where("upload_key", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async touch(ids: readonly bigint[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.updateTable("media_attachments").set({ last_used_at: now }).where(sql<boolean>`id ${inIds(this.#db, ids)}`).execute();
  }

  async cacheUsage(): Promise<{ count: number; bytes: number }> {
    const row = await this.#db
      .selectFrom("media_attachments")
      .select((eb) => [eb.fn.countAll().as("n"), eb.fn.sum("file_size").as("bytes")])
      .where("remote_url", "is not", null)
      .where("file_key", "is not", null)
      .executeTakeFirst();
    return { count: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  async cachedNotUsedSince(before: number, limit: number, afterId?: bigint): Promise<RemoteMediaRecord[]> {
    let q = this.#db
      .selectFrom("media_attachments")
      .select(MEDIA_COLUMNS)
      .where("remote_url", "is not", null)
      .where((eb) => eb.or([eb("file_key", "is not", null), eb("small_key", "is not", null), eb("upload_key", "is not", null)]))
      .where(sql<boolean>`coalesce(last_used_at, created_at) < ${before}`);
    if (afterId !== undefined) q = q.where("id", ">", afterId);
    return (await q.orderBy("id").limit(limit).execute()).map(toRemote);
  }

  async uncache(id: bigint, expectedFileKey: string | null): Promise<boolean> {
    let q = this.#db
      .updateTable("media_attachments")
      .set({ processing: "queued", file_key: null, small_key: null, upload_key: null, file_size: null, file_content_type: null })
      .where("id", "=", id)
      .where("remote_url", "is not", null);
    q = expectedFileKey === null ? q.where("file_key", "is", null) : q.where("file_key", "=", expectedFileKey);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setProfileUrls(accountId: bigint, urls: { avatar: string | null; header: string | null }): Promise<void> {
    await this.#db
      .updateTable("accounts")
      .set({ avatar_remote_url: urls.avatar, header_remote_url: urls.header })
      .where("id", "=", accountId)
      .where("domain", "is not", null)
      .execute();
  }

  async findProfile(accountId: bigint): Promise<RemoteProfileRecord | null> {
    const row = await this.#db.selectFrom("accounts").select(PROFILE_COLUMNS).where("id", "=", accountId).where("domain", "is not", null).executeTakeFirst();
    return row ? toProfile(row) : null;
  }

  async setProfileImage(accountId: bigint, which: ProfileImage, key: string | null, now: number): Promise<void> {
    const set = which === "avatar" ? { avatar_key: key, profile_media_used_at: now } : { header_key: key, profile_media_used_at: now };
    await this.#db.updateTable("accounts").set(set).where("id", "=", accountId).where("domain", "is not", null).execute();
  }

  async touchProfiles(accountIds: readonly bigint[], now: number): Promise<void> {
    if (accountIds.length === 0) return;
    await this.#db
      .updateTable("accounts")
      .set({ profile_media_used_at: now })
      .where(sql<boolean>`id ${inIds(this.#db, accountIds)}`)
      .where("domain", "is not", null)
      .execute();
  }

  async cachedProfilesNotUsedSince(before: number, limit: number, afterId?: bigint): Promise<RemoteProfileRecord[]> {
    let q = this.#db
      .selectFrom("accounts")
      .select(PROFILE_COLUMNS)
      .where("domain", "is not", null)
      .where((eb) => eb.or([eb("avatar_key", "is not", null), eb("header_key", "is not", null)]))
      .where(sql<boolean>`coalesce(profile_media_used_at, 0) < ${before}`);
    if (afterId !== undefined) q = q.where("id", ">", afterId);
    return (await q.orderBy("id").limit(limit).execute()).map(toProfile);
  }
}
