import { sql, type Kysely } from "kysely";
import type { MediaProcessing, MediaType } from "../../../domain/media.ts";
import type { MediaMeta, MediaRecord, MediaRepository, MediaUsageRow, NewMedia, ProcessedMediaChange } from "../../../ports/repositories/media.ts";
import { inIds } from "../dialect.ts";
import type { MediaAttachmentsTable, Tables } from "../schema.ts";
import { toId, toIdOrNull, toNum, toNumOrNull } from "./convert.ts";

type Row = { [K in keyof MediaAttachmentsTable]: any };

function parseMeta(json: string): MediaMeta {
  try {
    const meta = JSON.parse(json);
    return meta && typeof meta === "object" && !Array.isArray(meta) ? meta : {};
  } catch {
    return {};
  }
}

function toMedia(r: Row): MediaRecord {
  return {
    id: toId(r.id),
    accountId: toId(r.account_id),
    statusId: toIdOrNull(r.status_id),
    type: r.type as MediaType,
    processing: r.processing as MediaProcessing,
    processingError: r.processing_error,
    uploadKey: r.upload_key,
    fileKey: r.file_key,
    fileContentType: r.file_content_type,
    fileSize: toNumOrNull(r.file_size),
    smallKey: r.small_key,
    thumbnailKey: r.thumbnail_key,
    meta: parseMeta(r.meta),
    description: r.description,
    blurhash: r.blurhash,
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
    remoteUrl: r.remote_url ?? null,
    lastUsedAt: toNumOrNull(r.last_used_at ?? null),
  };
}

export class KyselyMediaRepository implements MediaRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(m: NewMedia): Promise<void> {
    await this.#db
      .insertInto("media_attachments")
      .values({
        id: m.id, account_id: m.accountId, status_id: null, type: m.type, processing: m.processing, processing_error: null,
        upload_key: m.uploadKey, file_key: m.fileKey, file_content_type: m.fileContentType, file_size: m.fileSize,
        small_key: m.smallKey, thumbnail_key: m.thumbnailKey, meta: JSON.stringify(m.meta), description: m.description,
        blurhash: m.blurhash, created_at: m.now, updated_at: m.now,
      })
      .execute();
  }

  async findById(id: bigint): Promise<MediaRecord | null> {
    const row = await this.#db.selectFrom("media_attachments").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toMedia(row) : null;
  }

  async findByIds(ids: readonly bigint[]): Promise<MediaRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.selectFrom("media_attachments").selectAll().where(sql<boolean>`id ${inIds(this.#db, ids)}`).execute();
    return rows.map(toMedia);
  }

  async forStatuses(statuses: readonly { id: bigint; mediaAttachmentIds: readonly bigint[] | null }[]): Promise<Map<bigint, MediaRecord[]>> {
    const out = new Map<bigint, MediaRecord[]>();
    const ids = [...new Set(statuses.flatMap((s) => s.mediaAttachmentIds ?? []))];
    if (ids.length === 0) return out;
    // The status's id list is the order; one query for the whole page.
    const byId = new Map((await this.findByIds(ids)).map((m) => [m.id, m]));
    for (const s of statuses) {
      if (!s.mediaAttachmentIds || s.mediaAttachmentIds.length === 0) continue;
      out.set(s.id, s.mediaAttachmentIds.map((id) => byId.get(id)).filter((m): m is MediaRecord => m !== undefined));
    }
    return out;
  }

  async updateProcessing(id: bigint, c: ProcessedMediaChange, now: number, onlyIf?: MediaProcessing[]): Promise<boolean> {
    let q = this.#db
      .updateTable("media_attachments")
      .set({
        processing: c.processing,
        updated_at: now,
        ...(c.type !== undefined ? { type: c.type } : {}),
        ...(c.processingError !== undefined ? { processing_error: c.processingError } : {}),
        ...(c.uploadKey !== undefined ? { upload_key: c.uploadKey } : {}),
        ...(c.fileKey !== undefined ? { file_key: c.fileKey } : {}),
        ...(c.fileContentType !== undefined ? { file_content_type: c.fileContentType } : {}),
        ...(c.fileSize !== undefined ? { file_size: c.fileSize } : {}),
        ...(c.smallKey !== undefined ? { small_key: c.smallKey } : {}),
        ...(c.meta !== undefined ? { meta: JSON.stringify(c.meta) } : {}),
        ...(c.blurhash !== undefined ? { blurhash: c.blurhash } : {}),
      })
      .where("id", "=", id);
    if (onlyIf) q = q.where("processing", "in", onlyIf);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async updateDetails(id: bigint, c: { description?: string | null; meta?: MediaMeta; thumbnailKey?: string | null; blurhash?: string | null }, now: number): Promise<void> {
    await this.#db
      .updateTable("media_attachments")
      .set({
        updated_at: now,
        ...(c.description !== undefined ? { description: c.description } : {}),
        ...(c.meta !== undefined ? { meta: JSON.stringify(c.meta) } : {}),
        ...(c.thumbnailKey !== undefined ? { thumbnail_key: c.thumbnailKey } : {}),
        ...(c.blurhash !== undefined ? { blurhash: c.blurhash } : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  async attach(statusId: bigint, accountId: bigint, mediaIds: readonly bigint[]): Promise<number> {
    if (mediaIds.length === 0) return 0;
    const r = await this.#db
      .updateTable("media_attachments")
      .set({ status_id: statusId, scheduled_status_id: null })
      .where(sql<boolean>`id ${inIds(this.#db, mediaIds)}`)
      .where("account_id", "=", accountId)
      .where("status_id", "is", null)
      .executeTakeFirst();
    // Only what this status now holds: an upload a concurrent post took first is not listed twice.
    const held = new Set(
      (await this.#db.selectFrom("media_attachments").select("id").where("status_id", "=", statusId).execute()).map((x) => toId(x.id)),
    );
    const ids = mediaIds.filter((id) => held.has(id));
    await this.#db
      .updateTable("statuses")
      .set({ media_attachment_ids: ids.length > 0 ? JSON.stringify(ids.map(String)) : null })
      .where("id", "=", statusId)
      .execute();
    return Number(r.numUpdatedRows);
  }

  async replaceAttachments(statusId: bigint, accountId: bigint, mediaIds: readonly bigint[]): Promise<void> {
    let detach = this.#db.updateTable("media_attachments").set({ status_id: null }).where("status_id", "=", statusId);
    if (mediaIds.length > 0) detach = detach.where(sql<boolean>`not (id ${inIds(this.#db, mediaIds)})`);
    await detach.execute();
    if (mediaIds.length === 0) {
      await this.#db.updateTable("statuses").set({ media_attachment_ids: null }).where("id", "=", statusId).execute();
      return;
    }
    await this.#db
      .updateTable("media_attachments")
      .set({ status_id: statusId })
      .where(sql<boolean>`id ${inIds(this.#db, mediaIds)}`)
      .where("account_id", "=", accountId)
      .where((eb) => eb.or([eb("status_id", "is", null), eb("status_id", "=", statusId)]))
      .execute();
    await this.#db
      .updateTable("statuses")
      .set({ media_attachment_ids: JSON.stringify(mediaIds.map(String)) })
      .where("id", "=", statusId)
      .execute();
  }

  async reserveForScheduled(scheduledStatusId: bigint, accountId: bigint, mediaIds: readonly bigint[]): Promise<void> {
    if (mediaIds.length === 0) return;
    await this.#db
      .updateTable("media_attachments")
      .set({ scheduled_status_id: scheduledStatusId })
      .where(sql<boolean>`id ${inIds(this.#db, mediaIds)}`)
      .where("account_id", "=", accountId)
      .where("status_id", "is", null)
      .execute();
  }

  async releaseScheduled(scheduledStatusId: bigint): Promise<void> {
    await this.#db.updateTable("media_attachments").set({ scheduled_status_id: null }).where("scheduled_status_id", "=", scheduledStatusId).execute();
  }

  async detach(statusId: bigint): Promise<void> {
    await this.#db.updateTable("media_attachments").set({ status_id: null }).where("status_id", "=", statusId).execute();
  }

  async delete(id: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("media_attachments").where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async unattachedBefore(before: number, limit: number): Promise<MediaRecord[]> {
    const rows = await this.#db
      .selectFrom("media_attachments")
      .selectAll()
      .where("status_id", "is", null)
      .where("created_at", "<", BigInt(before))
      // A pending scheduled status's uploads stay; once its row is gone (published, cancelled, dropped) they are free.
      .where((eb) =>
        eb.or([
          eb("scheduled_status_id", "is", null),
          eb.not(eb.exists(eb.selectFrom("scheduled_statuses").select("scheduled_statuses.id").whereRef("scheduled_statuses.id", "=", "media_attachments.scheduled_status_id"))),
        ]),
      )
      .orderBy("created_at")
      .limit(limit)
      .execute();
    return rows.map(toMedia);
  }

  async usage(): Promise<MediaUsageRow[]> {
    const rows = await this.#db
      .selectFrom("media_attachments")
      .select((eb) => ["type", eb.fn.countAll().as("n"), eb.fn.sum<number | string | bigint | null>("file_size").as("bytes")])
      .groupBy("type")
      .orderBy("type")
      .execute();
    return rows.map((r) => ({ type: r.type as MediaType, count: Number(r.n), bytes: Number(r.bytes ?? 0) }));
  }
}
