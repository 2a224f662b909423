import { err, ok, type Result } from "../../domain/result.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { withdrawStatusNotifications } from "../notifications/notify.ts";
import { untagDeletedStatus } from "../tags/record-tags.ts";
import { removeFromFeedsJob } from "../timelines/feed-jobs.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { removeBoost, removeBoostsOf } from "./reblog.ts";
import { countsTowardsProfile, repliesCountable } from "./status-counters.ts";

/**
 * Deletes one of the account's own statuses (others' are "not found", as Mastodon answers): marks it deleted,
 * drops its pin and undoes the counters its posting raised, in one transaction. Returns the status as it was,
 * so the client can redraft from its source text.
 */
export async function deleteStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const status = await deps.db.repos.statuses.findById(statusId);
  if (!status || status.accountId !== accountId) return err({ kind: "not_found" });
  let boosters: bigint[] = [];
  const deleted = await deps.db.transaction(async (tx) => {
    // A boost is undone as unreblog does it; a status takes its boosts with it, as in Mastodon.
    if (status.reblogOfId !== null) return removeBoost(tx, { ...status, reblogOfId: status.reblogOfId }, deps.clock.now());
    if (!(await tx.statuses.softDelete(status.id, deps.clock.now()))) return false;
    await tx.statuses.unpin(accountId, status.id);
    // As Mastodon's redraft: the uploads come free for a new post; unused, the day-old cleanup removes them.
    await tx.media.detach(status.id);
    await withdrawStatusNotifications(tx, [status.id]);
    if (countsTowardsProfile(status.visibility)) await tx.statuses.addAccountStatuses(accountId, -1);
    if (status.inReplyToId !== null && repliesCountable(status.visibility)) await tx.statuses.addReplies(status.inReplyToId, -1);
    boosters = await removeBoostsOf(tx, status, deps.clock.now());
    await untagDeletedStatus(tx, status.id);
    await tx.enqueue([jobRequest(removeFromFeedsJob, { statusId: String(status.id) })]);
    return true;
  });
  if (!deleted) return err({ kind: "not_found" });
  await forgetAccounts(deps.cache, [accountId, ...boosters]);
  return ok(status);
}
