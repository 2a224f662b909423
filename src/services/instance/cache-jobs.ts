import { z } from "zod";
import type { Cache } from "../../ports/cache.ts";
import type { JobContract } from "../../ports/job-queue.ts";

/** Cache keys of what the instance endpoints and emoji rendering keep for a while. */
export const INSTANCE_CACHE_KEYS = { snapshot: "instance:snapshot:v1", emojis: "instance:custom-emojis:v1" } as const;

/** Forgets the cached instance snapshot and emoji table, so the next request reads the database. */
export async function forgetInstanceCaches(cache: Cache): Promise<void> {
  await Promise.all(Object.values(INSTANCE_CACHE_KEYS).map((k) => cache.delete(k)));
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
