import type { Kysely, Selectable } from "kysely";
import type { CustomEmojiRecord, CustomEmojisRepository, RemoteEmojiRecord, RemoteEmojiWrite } from "../../../ports/repositories/custom-emojis.ts";
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

function toRemoteEmoji(r: Row): RemoteEmojiRecord {
  return {
    id: toId(r.id),
    shortcode: r.shortcode,
    domain: r.domain ?? "",
    remoteUrl: r.image_remote_url ?? "",
    uri: r.uri,
    disabled: toBool(r.disabled),
    updatedAt: toNum(r.updated_at),
  };
}

/** Shortcodes per query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

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

  async upsertRemote(domain: string, emojis: readonly RemoteEmojiWrite[], now: number): Promise<void> {
    for (let i = 0; i < emojis.length; i += CHUNK) {
      const rows = emojis.slice(i, i + CHUNK).map((e) => ({
        // Remote emojis are linked, not copied: no keys in the media store (0023).
        id: e.id, shortcode: e.shortcode, domain, image_key: "", static_key: "", image_remote_url: e.remoteUrl, uri: e.uri, category: null,
        visible_in_picker: false, disabled: false, created_at: now, updated_at: now,
      }));
      await this.#db
        .insertInto("custom_emojis")
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["domain", "shortcode"]).doUpdateSet((eb) => ({
            image_remote_url: eb.ref("excluded.image_remote_url"),
            uri: eb.ref("excluded.uri"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
  }

  async findRemote(wanted: ReadonlyMap<string, ReadonlySet<string>>): Promise<RemoteEmojiRecord[]> {
    // One query for a page's domains together, cut into chunks only when the shortcodes are many.
    const chunks: Map<string, string[]>[] = [];
    let current = new Map<string, string[]>();
    let size = 0;
    for (const [domain, codes] of wanted) {
      for (const code of codes) {
        if (size >= CHUNK) {
          chunks.push(current);
          current = new Map();
          size = 0;
        }
        let list = current.get(domain);
        if (!list) current.set(domain, (list = []));
        list.push(code);
        size++;
      }
    }
    if (size > 0) chunks.push(current);
    const out: RemoteEmojiRecord[] = [];
    for (const chunk of chunks) {
      const rows = await this.#db
        .selectFrom("custom_emojis")
        .selectAll()
        .where((eb) => eb.or([...chunk].map(([domain, codes]) => eb.and([eb("domain", "=", domain), eb("shortcode", "in", codes)]))))
        .execute();
      for (const r of rows) out.push(toRemoteEmoji(r));
    }
    return out;
  }
}
