import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The error code of a failed system call, or undefined. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/**
 * Writes `body` to `path` so that readers see either the old file or the whole new one: a hidden temporary file in
 * the same directory, flushed to disk, then renamed over the target. Creates missing directories.
 */
export async function writeFileAtomically(path: string, body: Buffer | Readable, mode = 0o644): Promise<void> {
  const { handle, temporary } = await createTemporary(path, mode);
  try {
    // Flushing to disk before the rename: without it a crash soon after can leave an empty file under the final name.
    if (Buffer.isBuffer(body)) {
      try {
        await handle.writeFile(body);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } else {
      // The stream owns the handle: it flushes and closes it when done, and closes it when the body fails.
      await pipeline(body, handle.createWriteStream({ flush: true }));
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function createTemporary(path: string, mode: number): Promise<{ handle: FileHandle; temporary: string }> {
  const directory = dirname(path);
  // A concurrent delete may prune the directory between mkdir and open; making it again is enough.
  for (let attempt = 1; ; attempt++) {
    await mkdir(directory, { recursive: true });
    const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      return { handle: await open(temporary, "wx", mode), temporary };
    } catch (error) {
      if (errorCode(error) !== "ENOENT" || attempt >= 5) throw error;
    }
  }
}
