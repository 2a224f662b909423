import { err, ok, type Result } from "../../domain/result.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { countsTowardsProfile, repliesCountable } from "./status-counters.ts";

/**
 * Deletes one of the account's own statuses (others' are "not found", as Mastodon answers): marks it deleted,
 * drops its pin and undoes the counters its posting raised, in one transaction. Returns the status as it was,
 * so the client can redraft from its source text.
 */
export async function deleteStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const status = await deps.db.repos.statuses.findById(statusId);
  if (!status || status.accountId !== accountId) return err({ kind: "not_found" });
  const deleted = await deps.db.transaction(async (tx) => {
    if (!(await tx.statuses.softDelete(status.id, deps.clock.now()))) return false;
    await tx.statuses.unpin(accountId, status.id);
    if (countsTowardsProfile(status.visibility)) await tx.statuses.addAccountStatuses(accountId, -1);
    if (status.inReplyToId !== null && repliesCountable(status.visibility)) await tx.statuses.addReplies(status.inReplyToId, -1);
    return true;
  });
  if (!deleted) return err({ kind: "not_found" });
  await forgetAccounts(deps.cache, [accountId]);
  return ok(status);
}
