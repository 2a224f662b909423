import { err, ok, type Result } from "../../domain/result.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";

/** Mastodon's StatusPinValidator limit. */
export const MAX_PINS = 5;

const invalid = (message: string) => err<StatusError>({ kind: "invalid", message: `Validation failed: ${message}` });

/**
 * Pins a status on the account's profile, with Mastodon's StatusPinValidator rules: only one's own, not a boost,
 * not a direct message, at most five. Pinning again is not an error. A status the account may not see is
 * "not found".
 */
export async function pinStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const found = await findVisibleStatus(deps, statusId, accountId);
  if (!found) return err({ kind: "not_found" });
  const { status } = found;
  if (status.reblogOfId !== null) return invalid("Boosts cannot be pinned");
  if (status.accountId !== accountId) return invalid("Someone else's post cannot be pinned");
  if (status.visibility === "direct") return invalid("Posts that are only visible to mentioned users cannot be pinned");
  return deps.db.transaction(async (tx) => {
    // Under the account's row lock, so two pins at once cannot both pass the count.
    await tx.accounts.lockForUpdate(accountId);
    if ((await tx.statuses.pinnedAmong(accountId, [status.id])).has(status.id)) return ok(status);
    if ((await tx.statuses.countPins(accountId)) >= MAX_PINS) return invalid("You have already pinned the maximum number of posts");
    await tx.statuses.pin(await tx.nextId(), accountId, status.id, deps.clock.now());
    return ok(status);
  });
}

/** Unpins; a status that was not pinned is not an error. */
export async function unpinStatus(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const found = await findVisibleStatus(deps, statusId, accountId);
  if (!found) return err({ kind: "not_found" });
  await deps.db.transaction((tx) => tx.statuses.unpin(accountId, found.status.id));
  return ok(found.status);
}
