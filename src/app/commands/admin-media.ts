import { parseArgs } from "node:util";
import { pendingMigrations } from "../../adapters/db/migrations/index.ts";
import { ConfigError, type Config, type MediaConfig } from "../../config/config.ts";
import type { MediaStore } from "../../ports/media-store.ts";
import { removeUnattachedMedia } from "../../services/media/manage-media.ts";
import { pruneRemoteProfileImages, removeRemoteMediaCache } from "../../services/media/remote-media.ts";
import { migrateMedia, type MigrationProgress } from "../../services/media/migrate-media.ts";
import { silentLogger } from "../logger.ts";
import { buildContainer, openMediaStoreOf } from "../container.ts";
import type { Output } from "./admin.ts";
import { CommandError, UsageError } from "./usage.ts";

export const MEDIA_HELP = `herd admin media usage
    Bytes and files in the media store, by kind: attachment originals, previews (small and custom thumbnails),
    uploads waiting for processing, avatars, headers and custom emojis; and attachments by type.
herd admin media remove --days N [--prune-profiles] [--dry-run]
    Deletes media attachments no status uses that were uploaded more than N days ago, with their files, and the
    cached copies of remote media not used (fetched or viewed) for N days (the records stay; a view fetches them
    again). --prune-profiles, as tootctl's: instead, the cached avatars and headers of remote accounts not seen
    for N days. --dry-run counts them without deleting.
herd admin media migrate --to s3|local [--concurrency N]
    Copies every file the database references (attachments, previews, pending uploads, avatars, headers, custom
    emojis) from local disk (DATA_DIR/media) to the bucket the S3_* settings describe (--to s3), or back
    (--to local); N copies at once (default 4, at most 64). Resumable: run it again after an interruption and it
    carries on. See "Moving media between local disk and S3" in docs/running.md.`;

/** Progress lines at least this often (in objects), and at least every PROGRESS_MS. */
const PROGRESS_EVERY = 50;
const PROGRESS_MS = 2000;

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

/** `herd admin media usage|remove|migrate`. */
export async function runMediaCommand(config: Config, action: string | undefined, args: string[], io: Output): Promise<void> {
  if (action === "migrate") return migrateCommand(config, args, io);
  if (action !== "usage" && action !== "remove") throw new UsageError("herd admin media takes usage, remove, migrate", MEDIA_HELP);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options: action === "remove" ? { days: { type: "string" }, "dry-run": { type: "boolean" }, "prune-profiles": { type: "boolean" } } : {}, strict: true }).values as never;
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
      const remote = await c.db.repos.remoteMedia.cacheUsage();
      io.out(`of which cached remote media: ${remote.count} files, ${remote.bytes} bytes (${mib(remote.bytes)})`);
      return;
    }
    const dryRun = values["dry-run"] === true;
    const olderThanMs = days * 86_400_000;
    if (values["prune-profiles"] === true) {
      const pruned = await pruneRemoteProfileImages({ db: c.db, media: c.media, clock: c.clock }, { olderThanMs, dryRun });
      io.out(`${dryRun ? "would remove" : "removed"} ${pruned.removed} cached avatar(s) and header(s) of remote accounts not used for ${days} day(s)`);
      return;
    }
    const cache = await removeRemoteMediaCache({ db: c.db, media: c.media, clock: c.clock }, { olderThanMs, dryRun });
    io.out(`${dryRun ? "would remove" : "removed"} ${cache.removed} cached remote media file set(s) not used for ${days} day(s), ${cache.bytes} bytes of originals (${mib(cache.bytes)})`);
    const { removed, bytes } = await removeUnattachedMedia({ db: c.db, media: c.media, clock: c.clock }, { olderThanMs: days * 86_400_000, dryRun });
    io.out(`${dryRun ? "would remove" : "removed"} ${removed} unattached media attachment(s) older than ${days} day(s), ${bytes} bytes of originals (${mib(bytes)})`);
  } finally {
    await c.close();
  }
}

/** Where a store is, for the progress table and the operator. */
function describeStore(media: MediaConfig): string {
  if (media.kind === "local") return `local:${media.root}`;
  return `s3://${media.bucket}@${media.endpoint ?? `aws:${media.region}`}`;
}

function progressLine(p: MigrationProgress): string {
  return `${p.done}/${p.total}: copied ${p.copied}, already there ${p.present}, missing at the source ${p.missing}, failed ${p.failed}`;
}

/** `herd admin media migrate --to s3|local [--concurrency N]`. */
async function migrateCommand(config: Config, args: string[], io: Output): Promise<void> {
  let values: { to?: string; concurrency?: string };
  try {
    values = parseArgs({ args, options: { to: { type: "string" }, concurrency: { type: "string" } }, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), MEDIA_HELP);
  }
  const to = values.to;
  if (to !== "s3" && to !== "local")
    throw new UsageError(to === undefined ? "herd admin media migrate needs --to s3 or --to local" : `--to takes s3 or local, not ${JSON.stringify(to)}`, MEDIA_HELP);
  const rawConcurrency = values.concurrency ?? "4";
  if (!/^\d+$/.test(rawConcurrency) || Number(rawConcurrency) < 1 || Number(rawConcurrency) > 64)
    throw new UsageError("--concurrency takes a whole number from 1 to 64", MEDIA_HELP);
  const concurrency = Number(rawConcurrency);
  const s3 = config.mediaStores.s3;
  if (!s3)
    throw new ConfigError(
      "S3_BUCKET",
      `--to ${to} needs the bucket described, and no S3_BUCKET is set`,
      to === "s3"
        ? "Set S3_BUCKET (with S3_ENDPOINT or S3_REGION, and the AWS_* keys) to the new bucket; S3_ENABLED can stay false until the copy is done."
        : "Set S3_BUCKET (with S3_ENDPOINT or S3_REGION, and the AWS_* keys) to the bucket media is in now.",
    );
  const from: MediaConfig = to === "s3" ? config.mediaStores.local : s3;
  const into: MediaConfig = to === "s3" ? s3 : config.mediaStores.local;

  const c = await buildContainer(config, silentLogger, { role: "admin", checks: false, relayJobs: false });
  const stores: MediaStore[] = [];
  try {
    const pending = await pendingMigrations(c.db.kysely, c.db.engine);
    if (pending.length > 0)
      throw new CommandError(`the database has ${pending.length} pending migration(s): run \`herd migrate\` first (herd start applies them itself)`);
    const source = await openMediaStoreOf(from, config.baseUrl);
    stores.push(source);
    const target = await openMediaStoreOf(into, config.baseUrl);
    stores.push(target);
    // A target that refuses writes would fail every object: say why once, with the fix.
    await target.check();
    io.out(`moving media from ${describeStore(from)} to ${describeStore(into)}, ${concurrency} at a time`);
    if (config.media.kind === from.kind)
      io.out(
        `note: Herd still keeps new files in ${from.kind}; those uploaded meanwhile are copied by a later run. Switching first (S3_ENABLED=${into.kind === "s3"}, MEDIA_MIGRATION_FROM=${from.kind}) avoids that: see docs/running.md`,
      );
    let printedAt = Date.now();
    let printedDone = 0;
    const report = await migrateMedia(
      { db: c.db, source, target, clock: c.clock },
      {
        destination: describeStore(into),
        concurrency,
        onProgress(p) {
          if (p.done - printedDone < PROGRESS_EVERY && Date.now() - printedAt < PROGRESS_MS) return;
          printedAt = Date.now();
          printedDone = p.done;
          io.out(`progress ${progressLine(p)}`);
        },
      },
    );
    io.out(`done ${progressLine(report)} (${report.earlier} recorded by an earlier run)`);
    for (const key of report.missingKeys) io.out(`  missing at the source: ${key}`);
    for (const f of report.failures) io.out(`  failed: ${f.key}: ${f.error}`);
    if (report.failed > 0) throw new CommandError(`${report.failed} file(s) could not be copied; run the same command again to retry them`);
  } finally {
    for (const store of stores) await store.close();
    await c.close();
  }
}
