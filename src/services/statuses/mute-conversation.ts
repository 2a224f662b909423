import { err, ok, type Result } from "../../domain/result.ts";
import type { Database } from "../../ports/database.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findProperStatus } from "./status-visibility.ts";

const notParticipant = err<StatusError>({ kind: "invalid", message: "Validation failed: You can only mute conversations you take part in" });

async function conversationOf(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<{ status: StatusRecord; conversationId: bigint }, StatusError>> {
  const found = await findProperStatus(deps, statusId, accountId);
  if (!found) return err({ kind: "not_found" });
  const conversationId = found.status.conversationId;
  if (conversationId === null) return notParticipant;
  if (!(await deps.db.repos.interactions.participatesIn(accountId, conversationId))) return notParticipant;
  return ok({ status: found.status, conversationId });
}

/**
 * Mutes the thread a status belongs to, for its notifications: only a thread the account takes part in (wrote
 * or is mentioned in a status of), as Mastodon requires; otherwise a validation error. Muting again is fine.
 */
export async function muteConversation(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const found = await conversationOf(deps, accountId, statusId);
  if (!found.ok) return found;
  await deps.db.transaction(async (tx) => {
    await tx.interactions.muteConversation(await tx.nextId(), accountId, found.value.conversationId, deps.clock.now());
  });
  return ok(found.value.status);
}

/** Unmutes the thread a status belongs to (same rules as muting). */
export async function unmuteConversation(deps: StatusDeps, accountId: bigint, statusId: bigint): Promise<Result<StatusRecord, StatusError>> {
  const found = await conversationOf(deps, accountId, statusId);
  if (!found.ok) return found;
  await deps.db.transaction((tx) => tx.interactions.unmuteConversation(accountId, found.value.conversationId));
  return ok(found.value.status);
}

/**
 * Whether `accountId` muted the conversation (thread) `conversationId`: notifications about statuses of a
 * muted thread are suppressed. Null conversation ids are never muted.
 */
export async function isConversationMuted(db: Pick<Database, "repos">, accountId: bigint, conversationId: bigint | null): Promise<boolean> {
  if (conversationId === null) return false;
  return db.repos.interactions.isConversationMuted(accountId, conversationId);
}
