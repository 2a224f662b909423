import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, readFile, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { ConfigError } from "../../config/config.ts";
import { assertByteRange, assertMediaKey, compareKeys, encodeKeyPath } from "../../domain/media-keys.ts";
import {
  RangeNotSatisfiableError,
  type MediaStore,
  type PutOptions,
  type StoredObject,
} from "../../ports/media-store.ts";
import { errorCode, writeFileAtomically } from "./atomic-file.ts";
import { contentTypeFromExtension } from "./content-types.ts";

/** What the sidecar file next to each media file records. Cache-Control is not kept: the /system/ route sets it. */
interface Sidecar {
  readonly contentType: string;
}

/**
 * Media files in a local directory (`DATA_DIR/media` by default), served by Herd under `/system/`. Each file has a
 * hidden sidecar (`.name.meta`) holding the content type given at upload, so a file's type never depends on its
 * extension being right. Every write goes through a temporary file and a rename: a reader never sees half a file.
 */
export class LocalMediaStore implements MediaStore {
  readonly kind = "local" as const;
  readonly root: string;
  #publicBaseUrl: string;

  constructor(root: string, publicBaseUrl: string) {
    this.root = resolve(root);
    this.#publicBaseUrl = publicBaseUrl.replace(/\/+$/, "");
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    const path = this.#path(key);
    const sidecar: Sidecar = { contentType: options.contentType };
    // The sidecar goes first, so a reader that finds the file also finds its content type.
    await writeFileAtomically(sidecarPath(path), Buffer.from(JSON.stringify(sidecar)));
    await writeFileAtomically(path, body);
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<StoredObject | null> {
    const path = this.#path(key);
    if (range) assertByteRange(range);
    // Reading through one open handle keeps size and bytes consistent even if the file is replaced meanwhile.
    const handle = await openFile(path);
    if (!handle) return null;
    try {
      const size = (await handle.stat()).size;
      const contentType = await readContentType(path, key);
      if (!range) return { body: handle.createReadStream(), size, contentType };
      if (range.start >= size) throw new RangeNotSatisfiableError(key, range.start, size);
      const end = Math.min(range.end ?? size - 1, size - 1);
      return {
        body: handle.createReadStream({ start: range.start, end }),
        size: end - range.start + 1,
        contentType,
        range: { start: range.start, end, total: size },
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.#path(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    for (const file of [path, sidecarPath(path)]) {
      try {
        await unlink(file);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    await this.#pruneEmptyDirectories(dirname(path));
  }

  async list(prefix: string, after: string | null, limit: number): Promise<{ key: string; size: number }[]> {
    const found: { key: string; size: number }[] = [];
    if (limit > 0) await this.#walk("", prefix, after, limit, found);
    return found;
  }

  url(key: string): string {
    assertMediaKey(key);
    return `${this.#publicBaseUrl}/system/${encodeKeyPath(key)}`;
  }

  async check(): Promise<void> {
    const probe = join(this.root, `.herd-check-${randomBytes(6).toString("hex")}`);
    try {
      await mkdir(this.root, { recursive: true });
      await writeFile(probe, "ok");
      await unlink(probe);
    } catch (error) {
      const user = runningUser();
      const problem = new ConfigError(
        "DATA_DIR",
        `the media directory ${this.root} is not writable (${errorCode(error) ?? "error"}: ${(error as Error).message})`,
        `Set DATA_DIR to a directory that user ${user} can write (media goes to DATA_DIR/media), or give that user the directory: mkdir -p ${this.root} && chown -R ${user} ${this.root}. Or set S3_ENABLED=true to keep media in a bucket.`,
      );
      problem.cause = error;
      throw problem;
    }
  }

  async close(): Promise<void> {}

  /** The file for a key, refusing any key that could leave the root. */
  #path(key: string): string {
    assertMediaKey(key);
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`invalid media key ${JSON.stringify(key)}: it leaves the media directory`);
    return path;
  }

  /** Removes directories left empty by a delete, up to the root; stops at the first one still in use. */
  async #pruneEmptyDirectories(directory: string): Promise<void> {
    while (directory.startsWith(this.root + sep)) {
      try {
        await rmdir(directory);
      } catch {
        return;
      }
      directory = dirname(directory);
    }
  }

  /**
   * Depth-first walk in key order. Within a directory, a subdirectory sorts as its name plus "/", which puts
   * `a-b` before `a/…` exactly as the full keys compare. Subtrees that cannot hold a key matching `prefix` or
   * following `after` are not read.
   */
  async #walk(
    relative: string,
    prefix: string,
    after: string | null,
    limit: number,
    found: { key: string; size: number }[],
  ): Promise<void> {
    let entries;
    try {
      entries = await readdir(join(this.root, relative), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const items = entries
      .filter((entry) => !entry.name.startsWith(".") && (entry.isFile() || entry.isDirectory()))
      .map((entry) => {
        const key = relative + entry.name;
        return entry.isDirectory() ? { key: `${key}/`, directory: true } : { key, directory: false };
      })
      .sort((a, b) => compareKeys(a.key, b.key));
    for (const item of items) {
      if (found.length >= limit) return;
      if (item.directory) {
        if (!item.key.startsWith(prefix) && !prefix.startsWith(item.key)) continue;
        // Every key under the directory starts with its path: if that path already sorts before `after` and is
        // not a prefix of it, the whole subtree comes before `after`.
        if (after !== null && compareKeys(item.key, after) < 0 && !after.startsWith(item.key)) continue;
        await this.#walk(item.key, prefix, after, limit, found);
      } else {
        if (!item.key.startsWith(prefix)) continue;
        if (after !== null && compareKeys(item.key, after) <= 0) continue;
        try {
          found.push({ key: item.key, size: (await stat(join(this.root, item.key))).size });
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
    }
  }
}

function sidecarPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.meta`);
}

async function openFile(path: string): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  // Opening a directory for reading succeeds on Linux; a key that names one is not an object.
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}

async function readContentType(path: string, key: string): Promise<string> {
  try {
    const sidecar = JSON.parse(await readFile(sidecarPath(path), "utf8")) as Partial<Sidecar>;
    if (typeof sidecar.contentType === "string" && sidecar.contentType) return sidecar.contentType;
  } catch {
    // Files copied in without a sidecar (or with a damaged one) still serve, typed by their extension.
  }
  return contentTypeFromExtension(key);
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

/** The account Herd runs as, for a chown the operator can paste. */
function runningUser(): string {
  try {
    return userInfo().username;
  } catch {
    // Containers often run under a uid with no passwd entry.
    return String(process.getuid?.() ?? "herd");
  }
}
