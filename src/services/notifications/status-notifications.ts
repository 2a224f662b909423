import { z } from "zod";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { JobContract } from "../../ports/job-queue.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { notify } from "./notify.ts";

/**
 * Notifies the followers who follow the author with notify: true of a new status. New statuses have this done by
 * their fan-out job (`notifyFollowers`); the job stays for those queued before that.
 */
export const notifyFollowersJob: JobContract<{ statusId: string }> = {
  name: "notify-status-followers",
  queue: "default",
  payload: z.object({ statusId: z.string().regex(/^\d{1,20}$/) }),
  retry: { attempts: 8, backoffMs: 1_000 },
};

/**
 * Mastodon's rule (FeedInsertWorker#notify?): posts that reach followers' home feeds (public, unlisted,
 * private), not boosts, and not replies to someone else.
 */
export function statusNotifiesFollowers(status: Pick<StatusRecord, "visibility" | "reblogOfId" | "inReplyToId" | "inReplyToAccountId" | "accountId">): boolean {
  if (status.visibility === "direct" || status.reblogOfId !== null) return false;
  return status.inReplyToId === null || status.inReplyToAccountId === status.accountId;
}

const BATCH = 500;

/**
 * Records a `status` notification for each local follower who asked for them, in batches of one transaction
 * each. As Mastodon notifies only when the post reaches the follower's home feed, a follower who blocks or
 * mutes the author or someone the post mentions gets none, nor one whose follow leaves out the post's
 * language. Idempotent: a rerun meets the unique notification key; a deleted status does nothing.
 */
export async function notifyStatusFollowers(
  deps: { readonly db: Database; readonly clock: Clock },
  statusId: bigint,
  loaded?: { readonly status: StatusRecord; readonly mentioned: readonly bigint[] },
): Promise<void> {
  // `loaded`: the row and its mentions as the caller just read them (the fan-out job), spared a second read.
  const status = loaded?.status.id === statusId ? loaded.status : await deps.db.repos.statuses.findById(statusId);
  if (!status || !statusNotifiesFollowers(status)) return;
  const mentioned = loaded?.status.id === statusId ? loaded.mentioned : ((await deps.db.repos.statuses.mentionsOf([status.id])).get(status.id) ?? []);
  const involved = [...new Set([status.accountId, ...mentioned])];
  let after = 0n;
  for (;;) {
    const followers = await deps.db.repos.notifications.notifyingFollowers(status.accountId, after, BATCH);
    if (followers.length === 0) return;
    after = followers[followers.length - 1]!.rowId;
    const now = deps.clock.now();
    await deps.db.transaction(async (tx) => {
      const recipients = [];
      for (const f of followers) {
        if (f.languages && status.language && !f.languages.includes(status.language)) continue;
        const states = await tx.relationships.relationships(f.accountId, involved.filter((id) => id !== f.accountId), now);
        if ([...states.values()].some((r) => r.blocking || r.muting !== null)) continue;
        recipients.push(f.accountId);
      }
      await notify(
        tx,
        now,
        recipients.map((recipientId) => ({ type: "status" as const, recipientId, fromAccountId: status.accountId, statusId: status.id })),
      );
    });
    if (followers.length < BATCH) return;
  }
}
