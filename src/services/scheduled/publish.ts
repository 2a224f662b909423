import type { Logger } from "../../ports/logger.ts";
import type { StatusDeps } from "../statuses/deps.ts";
import { postStatus } from "../statuses/post-status.ts";
import { ScheduledStatusTaken } from "./claim.ts";

export type PublishOutcome = "published" | "not_due" | "gone" | "dropped";

/**
 * Publishes a scheduled status whose time has come through postStatus, as a direct post (mentions, tags,
 * fan-out, notifications and the poll, which starts now), deleting its row in the same transaction: exactly
 * once however many jobs race. A row that can no longer be posted (the author is suspended, the reply target
 * is gone, the text no longer validates) is dropped, as Mastodon's PublishScheduledStatusWorker drops it.
 */
export async function publishScheduledStatus(deps: StatusDeps & { readonly log?: Logger }, id: bigint): Promise<PublishOutcome> {
  const scheduled = await deps.db.repos.scheduledStatuses.findById(id);
  if (!scheduled) return "gone";
  if (scheduled.scheduledAt > deps.clock.now()) return "not_due";
  const author = await deps.db.repos.accounts.findById(scheduled.accountId);
  if (!author || author.suspendedAt !== null || author.user?.disabled) {
    await dropScheduled(deps, id);
    return "dropped";
  }
  const p = scheduled.params;
  try {
    const result = await postStatus(deps, {
      accountId: scheduled.accountId,
      applicationId: p.application_id === null ? null : BigInt(p.application_id),
      text: p.text,
      spoilerText: p.spoiler_text ?? undefined,
      sensitive: p.sensitive ?? undefined,
      visibility: p.visibility,
      language: p.language ?? undefined,
      inReplyToId: p.in_reply_to_id === null ? undefined : BigInt(p.in_reply_to_id),
      poll: p.poll
        ? { options: p.poll.options, expiresIn: String(p.poll.expires_in), multiple: p.poll.multiple, hideTotals: p.poll.hide_totals }
        : undefined,
      mediaIds: p.media_ids ?? undefined,
      scheduledStatusId: id,
    });
    if (result.ok) return "published";
    deps.log?.info({ scheduledStatusId: String(id), reason: result.error }, "a scheduled status could not be posted and was dropped");
    await dropScheduled(deps, id);
    return "dropped";
  } catch (error) {
    if (error instanceof ScheduledStatusTaken) return "gone";
    throw error;
  }
}

/** Deletes a scheduled row that will never be posted, freeing its uploads for the unattached cleanup. */
async function dropScheduled(deps: StatusDeps, id: bigint): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if (await tx.scheduledStatuses.delete(id)) await tx.media.releaseScheduled(id);
  });
}

const BATCH = 100;
const MAX_BATCHES = 10;

/** Publishes every scheduled status that is due (those whose job was lost or late), a bounded amount per run. */
export async function publishDueStatuses(deps: StatusDeps & { readonly log?: Logger }): Promise<number> {
  let published = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const ids = await deps.db.repos.scheduledStatuses.due(deps.clock.now(), BATCH);
    for (const id of ids) if ((await publishScheduledStatus(deps, id)) === "published") published++;
    if (ids.length < BATCH) break;
  }
  return published;
}
