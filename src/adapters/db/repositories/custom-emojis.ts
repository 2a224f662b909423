import type { Kysely, Selectable } from "kysely";
import type { CustomEmojiRecord, CustomEmojisRepository } from "../../../ports/repositories/custom-emojis.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum } from "./convert.ts";

type Row = Selectable<Tables["custom_emojis"]>;

function toEmoji(r: Row): CustomEmojiRecord {
  return {
    id: toId(r.id),
    shortcode: r.shortcode,
    domain: r.domain,
    imageKey: r.image_key,
    staticKey: r.static_key,
    category: r.category,
    visibleInPicker: toBool(r.visible_in_picker),
    disabled: toBool(r.disabled),
    createdAt: toNum(r.created_at),
  };
}

export class KyselyCustomEmojisRepository implements CustomEmojisRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async createLocal(e: Omit<CustomEmojiRecord, "domain" | "disabled">): Promise<boolean> {
    // The partial unique index decides, so two concurrent adds of one shortcode cannot both succeed.
    const r = await this.#db
      .insertInto("custom_emojis")
      .values({
        id: e.id, shortcode: e.shortcode, domain: null, image_key: e.imageKey, static_key: e.staticKey, category: e.category,
        visible_in_picker: e.visibleInPicker, disabled: false, created_at: e.createdAt, updated_at: e.createdAt,
      })
      .onConflict((oc) => oc.column("shortcode").where("domain", "is", null).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async listLocal(): Promise<CustomEmojiRecord[]> {
    const rows = await this.#db.selectFrom("custom_emojis").selectAll().where("domain", "is", null).orderBy("shortcode").execute();
    return rows.map(toEmoji);
  }

  async findLocal(shortcode: string): Promise<CustomEmojiRecord | null> {
    const row = await this.#db.selectFrom("custom_emojis").selectAll().where("domain", "is", null).where("shortcode", "=", shortcode).executeTakeFirst();
    return row ? toEmoji(row) : null;
  }

  async removeLocal(shortcode: string): Promise<CustomEmojiRecord | null> {
    const found = await this.findLocal(shortcode);
    if (!found) return null;
    const r = await this.#db.deleteFrom("custom_emojis").where("id", "=", found.id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0 ? found : null;
  }
}
