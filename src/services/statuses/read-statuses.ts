import { canView, visibleSets, type ViewerFacts } from "../../domain/visibility.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { AccountStatusesQuery, StatusRecord } from "../../ports/repositories/statuses.ts";

/** What reading statuses needs. */
export interface StatusReadDeps {
  readonly db: Database;
}

/** Whether an author may be shown at all: suspended accounts and unpublished local ones show nothing. */
function available(author: AccountRecord | null): author is AccountRecord {
  if (!author || author.suspendedAt !== null) return false;
  return author.user === null || (author.user.confirmed && author.user.approved);
}

/** The facts about `viewerId` and `authorId` that do not depend on one status (null for anonymous). */
export async function viewerFactsFor(
  deps: StatusReadDeps,
  viewerId: bigint | null,
  author: AccountRecord,
): Promise<Omit<ViewerFacts, "mentioned"> | null> {
  if (viewerId === null) return null;
  if (viewerId === author.id)
    return { isAuthor: true, followsAuthor: false, blockedByAuthor: false, blocksAuthor: false, domainBlocksAuthor: false };
  const r = deps.db.repos.relationships;
  const [follow, blocks, domainBlocked] = await Promise.all([
    r.findFollow(viewerId, author.id),
    r.blocksBetween(viewerId, author.id),
    author.domain === null ? Promise.resolve(false) : r.isDomainBlocked(viewerId, author.domain),
  ]);
  return {
    isAuthor: false,
    followsAuthor: follow !== null,
    blockedByAuthor: blocks.bBlocksA,
    blocksAuthor: blocks.aBlocksB,
    domainBlocksAuthor: domainBlocked,
  };
}

/** A status with its author, when `viewerId` (null = anonymous) may see it per the visibility policy. */
export async function findVisibleStatus(
  deps: StatusReadDeps,
  statusId: bigint,
  viewerId: bigint | null,
): Promise<{ status: StatusRecord; author: AccountRecord } | null> {
  const status = await deps.db.repos.statuses.findById(statusId);
  if (!status) return null;
  const author = await deps.db.repos.accounts.findById(status.accountId);
  if (!available(author)) return null;
  const facts = await viewerFactsFor(deps, viewerId, author);
  const mentioned = facts !== null && !facts.isAuthor && (await deps.db.repos.statuses.isMentioned(status.id, viewerId!));
  return canView(status.visibility, facts && { ...facts, mentioned }) ? { status, author } : null;
}

export type AccountStatusFilters = Omit<AccountStatusesQuery, "visibleTo">;

/**
 * A page of an account's statuses that `viewerId` may see: the policy's visible sets become the query's
 * filter. An unavailable (suspended) account lists nothing, as Mastodon answers.
 */
export async function accountStatuses(
  deps: StatusReadDeps,
  author: AccountRecord,
  viewerId: bigint | null,
  filters: AccountStatusFilters,
): Promise<StatusRecord[]> {
  if (!available(author)) return [];
  const facts = await viewerFactsFor(deps, viewerId, author);
  const sets = visibleSets(facts);
  if (sets.always.length === 0 && sets.ifMentioned.length === 0) return [];
  return deps.db.repos.statuses.listByAccount(author.id, { ...filters, visibleTo: { ...sets, viewerId } });
}
