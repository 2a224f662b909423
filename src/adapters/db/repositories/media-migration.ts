import type { Kysely } from "kysely";
import type { MediaKeyCursor, MediaMigrationOutcome, MediaMigrationRepository } from "../../../ports/repositories/media-migration.ts";
import type { Tables } from "../schema.ts";
import { toId, toNum } from "./convert.ts";

/** Every column holding a MediaStore key, by table; each table has a bigint `id` to page by. */
const KEY_COLUMNS = [
  { table: "media_attachments", columns: ["upload_key", "file_key", "small_key", "thumbnail_key"] },
  { table: "accounts", columns: ["avatar_key", "header_key"] },
  { table: "custom_emojis", columns: ["image_key", "static_key"] },
] as const;

export class KyselyMediaMigrationRepository implements MediaMigrationRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async countReferencedKeys(): Promise<number> {
    let total = 0;
    for (const { table, columns } of KEY_COLUMNS) {
      const db = this.#db as unknown as Kysely<any>;
      const row = await db
        .selectFrom(table)
        // '' is no key: remote custom emojis are linked, not stored (migration 0023).
        .select((eb) => columns.map((column) => eb.fn.count(eb.fn("nullif", [eb.ref(column), eb.val("")])).as(column)))
        .executeTakeFirstOrThrow();
      for (const column of columns) total += toNum(row[column] as bigint);
    }
    return total;
  }

  async referencedKeys(cursor: MediaKeyCursor | null, limit: number): Promise<{ keys: string[]; next: MediaKeyCursor | null }> {
    const db = this.#db as unknown as Kysely<any>;
    let table = cursor?.table ?? 0;
    let afterId = cursor?.afterId ?? null;
    while (table < KEY_COLUMNS.length) {
      const { table: name, columns } = KEY_COLUMNS[table];
      let query = db.selectFrom(name).select(["id", ...columns]).orderBy("id").limit(limit);
      if (afterId !== null) query = query.where("id", ">", afterId);
      const rows = await query.execute();
      const keys = rows.flatMap((row) => columns.map((column) => row[column] as string | null)).filter((key): key is string => key !== null && key !== "");
      if (rows.length === limit) return { keys, next: { table, afterId: toId(rows[rows.length - 1].id) } };
      table++;
      afterId = null;
      // A short page ends this table; hand back what it had, or move straight on to the next table when empty.
      if (keys.length > 0) return { keys, next: table < KEY_COLUMNS.length ? { table, afterId: null } : null };
    }
    return { keys: [], next: null };
  }

  async finished(destination: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom("media_migration_keys")
      .select("key")
      .where("destination", "=", destination)
      .where("outcome", "in", ["copied", "present"])
      .where("key", "in", [...keys])
      .execute();
    return new Set(rows.map((row) => row.key));
  }

  async record(destination: string, outcomes: readonly { key: string; outcome: MediaMigrationOutcome; size: number | null }[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.#db
      .insertInto("media_migration_keys")
      .values(outcomes.map((o) => ({ key: o.key, destination, outcome: o.outcome, size: o.size, updated_at: now })))
      .onConflict((oc) =>
        oc.column("key").doUpdateSet((eb) => ({
          destination: eb.ref("excluded.destination"),
          outcome: eb.ref("excluded.outcome"),
          size: eb.ref("excluded.size"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}
