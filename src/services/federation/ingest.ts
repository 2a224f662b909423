import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

/** Mastodon refuses inbox bodies above 1 MiB; the activity a job carries is never larger than what was received. */
export const MAX_ACTIVITY_BYTES = 1024 * 1024;

/**
 * One received, verified activity to translate and apply. Unlike other jobs this one carries a document, not
 * ids: the activity is what the sender signed and was verified against, and no record of it exists yet to point
 * at (storing it first would cost a write per delivery for nothing). `recipient` is the username of the personal
 * inbox it came to (null for the shared inbox); `signer` is the actor id whose key verified it.
 * Enqueued with the activity id as dedupKey, so a delivery replayed while the first waits is one job.
 */
export const ingestActivityJob: JobContract<{ activity: string; recipient: string | null; signer: string }> = {
  name: "ingest-activity",
  queue: "ingress",
  payload: z.object({
    activity: z.string().min(2).max(MAX_ACTIVITY_BYTES),
    recipient: z.string().max(255).nullable(),
    signer: z.string().url().max(2_048),
  }),
  // Translation problems never throw (they are logged and dropped); only Herd's own failures, which retrying can fix.
  retry: { attempts: 6, backoffMs: 10_000 },
};

/**
 * Fetches the first replies of a post found by URL (Mastodon's FetchRepliesService), so a thread looked up by
 * link shows what was said under it. On `pull`: fetching is slow, and nobody waits on it.
 */
export const fetchRepliesJob: JobContract<{ statusUri: string }> = {
  name: "fetch-replies",
  queue: "pull",
  payload: z.object({ statusUri: z.string().url().max(2_048) }),
  retry: { attempts: 3, backoffMs: 30_000 },
};
