import { sql, type Kysely, type Selectable } from "kysely";
import type { AnnouncementRecord, AnnouncementsRepository, ReactionCount } from "../../../ports/repositories/announcements.ts";
import { inIds } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum, toNumOrNull } from "./convert.ts";

type Row = Selectable<Tables["announcements"]>;

function toAnnouncement(r: Row): AnnouncementRecord {
  return {
    id: toId(r.id),
    text: r.text,
    startsAt: toNumOrNull(r.starts_at),
    endsAt: toNumOrNull(r.ends_at),
    allDay: toBool(r.all_day),
    published: toBool(r.published),
    publishedAt: toNumOrNull(r.published_at),
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
  };
}

export class KyselyAnnouncementsRepository implements AnnouncementsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(a: AnnouncementRecord): Promise<void> {
    await this.#db
      .insertInto("announcements")
      .values({
        id: a.id, text: a.text, starts_at: a.startsAt, ends_at: a.endsAt, all_day: a.allDay, published: a.published,
        published_at: a.publishedAt, created_at: a.createdAt, updated_at: a.updatedAt,
      })
      .execute();
  }

  async findById(id: bigint): Promise<AnnouncementRecord | null> {
    const row = await this.#db.selectFrom("announcements").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toAnnouncement(row) : null;
  }

  async listAll(): Promise<AnnouncementRecord[]> {
    return (await this.#db.selectFrom("announcements").selectAll().orderBy("id").execute()).map(toAnnouncement);
  }

  async listPublished(dismissedBy: bigint | null): Promise<AnnouncementRecord[]> {
    let q = this.#db.selectFrom("announcements as n").selectAll("n").where("n.published", "=", true);
    if (dismissedBy !== null)
      q = q.where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("announcement_mutes as m").select("m.id").whereRef("m.announcement_id", "=", "n.id").where("m.account_id", "=", dismissedBy))),
      );
    const rows = await q.execute();
    // Mastodon's chronological order: by start, else publication, else creation.
    const key = (a: AnnouncementRecord) => a.startsAt ?? a.publishedAt ?? a.createdAt;
    return rows.map(toAnnouncement).sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : 1));
  }

  async unpublish(id: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("announcements")
      .set({ published: false, published_at: null, updated_at: now })
      .where("id", "=", id)
      .where("published", "=", true)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async dismissedAmong(accountId: bigint, ids: readonly bigint[]): Promise<Set<bigint>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("announcement_mutes")
      .select("announcement_id")
      .where("account_id", "=", accountId)
      .where(sql<boolean>`announcement_id ${inIds(this.#db, ids)}`)
      .execute();
    return new Set(rows.map((r) => toId(r.announcement_id)));
  }

  async dismiss(id: bigint, announcementId: bigint, accountId: bigint, now: number): Promise<void> {
    await this.#db
      .insertInto("announcement_mutes")
      .values({ id, announcement_id: announcementId, account_id: accountId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "announcement_id"]).doNothing())
      .execute();
  }

  async reactionsOf(ids: readonly bigint[], viewerId: bigint | null): Promise<Map<bigint, ReactionCount[]>> {
    const out = new Map<bigint, ReactionCount[]>();
    if (ids.length === 0) return out;
    const rows = await this.#db
      .selectFrom("announcement_reactions")
      .select(["announcement_id", "name", "account_id", "custom_emoji_id", "id"])
      .where(sql<boolean>`announcement_id ${inIds(this.#db, ids)}`)
      .orderBy("id")
      .execute();
    const byKey = new Map<string, { name: string; count: number; me: boolean; customEmojiId: bigint | null }>();
    for (const r of rows) {
      const announcementId = toId(r.announcement_id);
      const key = `${announcementId}:${r.name}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { name: r.name, count: 0, me: false, customEmojiId: toIdOrNull(r.custom_emoji_id) };
        byKey.set(key, entry);
        const list = out.get(announcementId) ?? [];
        list.push(entry);
        out.set(announcementId, list);
      }
      entry.count++;
      if (viewerId !== null && toId(r.account_id) === viewerId) entry.me = true;
    }
    return out;
  }

  async reactionNames(announcementId: bigint): Promise<string[]> {
    const rows = await this.#db.selectFrom("announcement_reactions").select("name").distinct().where("announcement_id", "=", announcementId).execute();
    return rows.map((r) => r.name);
  }

  async addReaction(r: { id: bigint; announcementId: bigint; accountId: bigint; name: string; customEmojiId: bigint | null; now: number }): Promise<boolean> {
    const res = await this.#db
      .insertInto("announcement_reactions")
      .values({ id: r.id, announcement_id: r.announcementId, account_id: r.accountId, name: r.name, custom_emoji_id: r.customEmojiId, created_at: r.now })
      .onConflict((oc) => oc.columns(["announcement_id", "account_id", "name"]).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async removeReaction(announcementId: bigint, accountId: bigint, name: string): Promise<boolean> {
    const r = await this.#db
      .deleteFrom("announcement_reactions")
      .where("announcement_id", "=", announcementId)
      .where("account_id", "=", accountId)
      .where("name", "=", name)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
