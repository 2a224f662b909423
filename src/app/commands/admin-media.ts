import { parseArgs } from "node:util";
import { pendingMigrations } from "../../adapters/db/migrations/index.ts";
import type { Config } from "../../config/config.ts";
import type { MediaStore } from "../../ports/media-store.ts";
import { removeUnattachedMedia } from "../../services/media/manage-media.ts";
import { silentLogger } from "../logger.ts";
import { buildContainer } from "../container.ts";
import type { Output } from "./admin.ts";
import { CommandError, UsageError } from "./usage.ts";

export const MEDIA_HELP = `herd admin media usage
    Bytes and files in the media store, by kind: attachment originals, previews (small and custom thumbnails),
    uploads waiting for processing, avatars, headers and custom emojis; and attachments by type.
herd admin media remove --days N [--dry-run]
    Deletes media attachments no status uses that were uploaded more than N days ago, with their files.
    --dry-run counts them without deleting.`;

/** Which kind a store key belongs to, from its path. */
function kindOf(key: string): string {
  if (key.startsWith("media_attachments/uploads/")) return "pending uploads";
  const style = /^media_attachments\/files\/[^/]+\/([^/]+)\//.exec(key)?.[1];
  if (style === "original") return "attachment originals";
  if (style === "small" || style === "thumbnail") return "attachment previews";
  if (key.startsWith("accounts/avatars/")) return "avatars";
  if (key.startsWith("accounts/headers/")) return "headers";
  if (key.startsWith("custom_emojis/")) return "custom emojis";
  return "other";
}

async function storeUsage(store: MediaStore): Promise<Map<string, { files: number; bytes: number }>> {
  const totals = new Map<string, { files: number; bytes: number }>();
  for (const prefix of ["media_attachments/", "accounts/", "custom_emojis/"]) {
    let after: string | null = null;
    for (;;) {
      const page = await store.list(prefix, after, 1000);
      for (const { key, size } of page) {
        const t = totals.get(kindOf(key)) ?? { files: 0, bytes: 0 };
        t.files++;
        t.bytes += size;
        totals.set(kindOf(key), t);
      }
      if (page.length < 1000) break;
      after = page[page.length - 1].key;
    }
  }
  return totals;
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/** `herd admin media usage|remove`. */
export async function runMediaCommand(config: Config, action: string | undefined, args: string[], io: Output): Promise<void> {
  if (action !== "usage" && action !== "remove") throw new UsageError("herd admin media takes usage, remove", MEDIA_HELP);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options: action === "remove" ? { days: { type: "string" }, "dry-run": { type: "boolean" } } : {}, strict: true }).values as never;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), MEDIA_HELP);
  }
  let days = 0;
  if (action === "remove") {
    const raw = values.days;
    if (typeof raw !== "string" || !/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError("--days takes a whole number of days, at least 1", MEDIA_HELP);
    days = Number(raw);
  }
  const c = await buildContainer(config, silentLogger, { role: "admin", checks: false, relayJobs: false });
  try {
    const pending = await pendingMigrations(c.db.kysely, c.db.engine);
    if (pending.length > 0)
      throw new CommandError(`the database has ${pending.length} pending migration(s): run \`herd migrate\` first (herd start applies them itself)`);
    if (action === "usage") {
      const totals = await storeUsage(c.media);
      let all = 0;
      io.out(`media store (${c.media.kind}):`);
      for (const kind of ["attachment originals", "attachment previews", "pending uploads", "avatars", "headers", "custom emojis", "other"]) {
        const t = totals.get(kind) ?? { files: 0, bytes: 0 };
        all += t.bytes;
        io.out(`  ${kind.padEnd(22)} ${String(t.files).padStart(8)} files ${String(t.bytes).padStart(14)} bytes (${mib(t.bytes)})`);
      }
      io.out(`  ${"total".padEnd(22)} ${" ".repeat(14)} ${String(all).padStart(14)} bytes (${mib(all)})`);
      io.out("attachments by type (originals):");
      for (const row of await c.db.repos.media.usage())
        io.out(`  ${row.type.padEnd(22)} ${String(row.count).padStart(8)} files ${String(row.bytes).padStart(14)} bytes (${mib(row.bytes)})`);
      return;
    }
    const dryRun = values["dry-run"] === true;
    const { removed, bytes } = await removeUnattachedMedia({ db: c.db, media: c.media, clock: c.clock }, { olderThanMs: days * 86_400_000, dryRun });
    io.out(`${dryRun ? "would remove" : "removed"} ${removed} unattached media attachment(s) older than ${days} day(s), ${bytes} bytes of originals (${mib(bytes)})`);
  } finally {
    await c.close();
  }
}
