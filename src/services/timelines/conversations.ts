import type { Database } from "../../ports/database.ts";
import type { AccountConversationRecord } from "../../ports/repositories/conversations.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { visibleAmong, type VisibilityDeps } from "../statuses/status-visibility.ts";

/**
 * Records a direct status in the conversation of each local participant (the author and the mentioned
 * accounts), as Mastodon's AccountConversation.add_status: a row per participant and set of other
 * participants, whose last status becomes this one; unread for everyone but the author.
 */
export async function recordDirectStatus(deps: { readonly db: Database }, status: StatusRecord, mentionedIds: readonly bigint[]): Promise<void> {
  const everyone = [...new Set([status.accountId, ...mentionedIds])];
  const accounts = await deps.db.repos.accounts.findByIds(everyone);
  const locals = accounts.filter((a) => a.domain === null).map((a) => a.id);
  const conversationId = status.conversationId ?? status.id;
  await deps.db.transaction(async (tx) => {
    for (const accountId of locals)
      await tx.conversations.addStatus({
        id: await tx.nextId(),
        accountId,
        conversationId,
        participantIds: everyone.filter((id) => id !== accountId),
        statusId: status.id,
        unread: accountId !== status.accountId,
      });
  });
}

/** Takes a deleted direct status out of the conversations holding it: the previous one becomes the last, or the row goes. */
export async function withdrawDirectStatus(deps: { readonly db: Database }, conversationId: bigint, statusId: bigint): Promise<void> {
  await deps.db.transaction(async (tx) => {
    for (const row of await tx.conversations.holding(conversationId, statusId))
      await tx.conversations.setStatuses(row.id, row.statusIds.filter((id) => id !== statusId));
  });
}

/** A conversation with its last status, when the account may still see it. */
export interface ConversationView {
  readonly conversation: AccountConversationRecord;
  readonly lastStatus: StatusRecord | null;
}

/**
 * A page of the account's conversations, newest last status first (the paging key). A last status the account
 * may no longer see (deleted meanwhile, or its author suspended or blocking) renders as null, as Mastodon's does.
 */
export async function conversationsPage(
  deps: VisibilityDeps,
  accountId: bigint,
  page: { maxId?: bigint; sinceId?: bigint; minId?: bigint; limit: number },
): Promise<ConversationView[]> {
  const rows = await deps.db.repos.conversations.page(accountId, page);
  return withLastStatuses(deps, accountId, rows);
}

/**
 * Attaches each row's last status when the account may see it, decided by the one policy (visibleAmong, in the
 * feed context as for other lists): a last status that is gone, or whose author is suspended or blocks the
 * account (or is blocked by it), renders as null, as Mastodon's nullable last_status.
 */
export async function withLastStatuses(deps: VisibilityDeps, accountId: bigint, rows: readonly AccountConversationRecord[]): Promise<ConversationView[]> {
  const statuses = await deps.db.repos.statuses.findByIds(rows.map((r) => r.lastStatusId));
  const visible = new Map((await visibleAmong(deps, accountId, statuses, { context: "feed" })).map((s) => [s.id, s]));
  return rows.map((conversation) => ({ conversation, lastStatus: visible.get(conversation.lastStatusId) ?? null }));
}

/** Marks one of the account's conversations read; null when it is not theirs. */
export async function markConversationRead(deps: VisibilityDeps, accountId: bigint, id: bigint): Promise<ConversationView | null> {
  const repos = deps.db.repos;
  if (!(await repos.conversations.find(accountId, id))) return null;
  await repos.conversations.markRead(accountId, id);
  const row = await repos.conversations.find(accountId, id);
  return row ? (await withLastStatuses(deps, accountId, [row]))[0] : null;
}

/** Removes one of the account's conversations (the statuses stay); false when it is not theirs. */
export async function removeConversation(deps: { readonly db: Database }, accountId: bigint, id: bigint): Promise<boolean> {
  return deps.db.repos.conversations.delete(accountId, id);
}
