import { z } from "zod";
import type { JobContract } from "../../ports/job-queue.ts";

const statusPayload = z.object({ statusId: z.string().regex(/^\d{1,20}$/) });

/** What a fan-out does besides the home and list feeds: a new status's other after-effects, when it has them. */
export interface FanOutExtras {
  /** Index the status for search (what indexStatusJob does). */
  readonly index?: boolean;
  /** Push it into its tags' followers' home feeds (what tagFollowerFeedsJob does). */
  readonly tagFeeds?: boolean;
  /** Notify the followers who ring the author's bell (what notifyFollowersJob does). */
  readonly notifyFollowers?: boolean;
}

/**
 * Puts a new status (or boost) into the home and list feeds of everyone who should see it, and does the
 * extras it names: one job for everything a new post sets off, as Mastodon's FanOutOnWriteService is, instead
 * of one job each (a job costs more to queue, claim and finish than most of these steps cost to run). Enqueue
 * in the transaction that creates the status.
 */
export const fanOutStatusJob: JobContract<{ statusId: string } & FanOutExtras> = {
  name: "fan-out-status",
  queue: "default",
  payload: statusPayload.extend({ index: z.boolean().optional(), tagFeeds: z.boolean().optional(), notifyFollowers: z.boolean().optional() }),
  retry: { attempts: 8, backoffMs: 1_000 },
};

/** Takes a deleted status (or an undone boost) out of every feed. Enqueue in the deleting transaction. */
export const removeFromFeedsJob: JobContract<{ statusId: string }> = {
  name: "remove-status-from-feeds",
  queue: "default",
  payload: statusPayload,
  retry: { attempts: 8, backoffMs: 1_000 },
};
