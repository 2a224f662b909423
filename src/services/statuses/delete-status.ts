import { err, ok, type Result } from "../../domain/result.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { hasRemoteAudience } from "../federation/audience.ts";
import { federate } from "../federation/outbound.ts";
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
  const author = await deps.db.repos.accounts.findById(accountId);
  const local = author !== null && author.domain === null;
  const removed = await deps.db.transaction(async (tx) => {
    // Read before the removal: the audience of a status includes those it mentioned.
    const mentioned = status.reblogOfId === null && local ? ((await tx.statuses.mentionsOf([status.id])).get(status.id) ?? []) : [];
    const audience = local && status.reblogOfId === null && (await hasRemoteAudience(tx, status, mentioned));
    const result = await removeStatus(tx, status, deps.clock.now());
    if (result.deleted && local) {
      if (status.reblogOfId !== null)
        await federate(tx, { type: "undo-announce", statusId: String(status.id), accountId: String(accountId), reblogOfId: String(status.reblogOfId) });
      else if (audience) await federate(tx, { type: "delete", statusId: String(status.id) });
    }
    return result;
  });
  if (!removed.deleted) return err({ kind: "not_found" });
  await forgetAccounts(deps.cache, [accountId, ...removed.boosters]);
  return ok(status);
}

/**
 * Deletes a status or boost in `tx`, with every effect a delete has: a boost is undone as unreblog does it; a
 * status is marked deleted, unpinned, its notifications withdrawn, the counters its posting raised undone, its
 * boosts removed (as Mastodon's RemoveStatusService), and it leaves feeds, tags and search. Returns whether it
 * was still there, and the boosters whose cached counts changed. The API and an incoming Delete both come here.
 */
export async function removeStatus(tx: Tx, status: StatusRecord, now: number): Promise<{ deleted: boolean; boosters: bigint[] }> {
  if (status.reblogOfId !== null) return { deleted: await removeBoost(tx, { ...status, reblogOfId: status.reblogOfId }, now), boosters: [] };
  if (!(await tx.statuses.softDelete(status.id, now))) return { deleted: false, boosters: [] };
  await tx.statuses.unpin(status.accountId, status.id);
  // As Mastodon's redraft: the uploads come free for a new post; unused, the day-old cleanup removes them.
  await tx.media.detach(status.id);
  await withdrawStatusNotifications(tx, [status.id]);
  if (countsTowardsProfile(status.visibility)) await tx.statuses.addAccountStatuses(status.accountId, -1);
  if (status.inReplyToId !== null && repliesCountable(status.visibility)) await tx.statuses.addReplies(status.inReplyToId, -1);
  const boosters = await removeBoostsOf(tx, status, now);
  await untagDeletedStatus(tx, status.id);
  await tx.enqueue([jobRequest(removeFromFeedsJob, { statusId: String(status.id) })]);
  return { deleted: true, boosters };
}
