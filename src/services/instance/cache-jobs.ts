import { uniqueMark } from "../cache/unique-mark.ts";
import { z } from "zod";
import type { Cache } from "../../ports/cache.ts";
import type { JobContract } from "../../ports/job-queue.ts";

/** Cache keys of what the instance endpoints and emoji rendering keep for a while. */
export const INSTANCE_CACHE_KEYS = { snapshot: "instance:snapshot:v1", emojis: "instance:custom-emojis:v2" } as const;

/** What the emoji table's version key holds after a change: readers rebuild, and only they may replace it. */
export const FORGOTTEN_PREFIX = "~";
// Longer than any reader takes between reading the version and storing the table it built from the database.
const FORGOTTEN_TTL_MS = 30_000;

/**
 * Forgets the cached instance snapshot and emoji table, so the next request reads the database. The emoji
 * table's version is overwritten with a unique mark rather than deleted: a reader that loaded the old emojis
 * before the change can then not store them afterwards (its compare-and-set expects what it saw).
 */
export async function forgetInstanceCaches(cache: Cache): Promise<void> {
  await Promise.all([
    cache.delete(INSTANCE_CACHE_KEYS.snapshot),
    cache.set(INSTANCE_CACHE_KEYS.emojis, FORGOTTEN_PREFIX + uniqueMark(), FORGOTTEN_TTL_MS),
  ]);
}

/**
 * Forgets the instance caches where they live: `herd admin settings|rules|emoji` run in their own process, and
 * with the embedded in-memory cache only the `herd start` process can drop its copy (its worker runs this job).
 */
export const refreshInstanceCachesJob: JobContract<{ reason: string }> = {
  name: "refresh-instance-caches",
  queue: "default",
  payload: z.object({ reason: z.string().max(100) }),
  retry: { attempts: 5, backoffMs: 1_000 },
};
