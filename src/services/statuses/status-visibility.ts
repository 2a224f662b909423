import { canView, type ViewContext } from "../../domain/visibility.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { isAvailable } from "../relationships/follow.ts";
import { findVisibleStatus } from "./read-statuses.ts";

/** What deciding visibility for many statuses at once needs. */
export interface VisibilityDeps {
  readonly db: Database;
  readonly clock: Clock;
}

export interface VisibleAmongOptions {
  /** Where the statuses are shown (see domain/visibility.ts). */
  readonly context: ViewContext;
  /** Also leave out statuses by accounts the viewer mutes (threads, as Mastodon's StatusFilter). */
  readonly hideMuted?: boolean;
}

/**
 * The statuses of a list that `viewerId` (null = anonymous) may see, in the list's order, decided by the one
 * policy (canView) with the facts for every author loaded at once: the authors, one facts query, and
 * the mentions of private and direct statuses only (`known` passes what the caller loaded already: authors,
 * and mentions covering every status of the list). Statuses by unavailable (suspended, unpublished) authors
 * are left out.
 */
export async function visibleAmong(
  deps: VisibilityDeps,
  viewerId: bigint | null,
  statuses: readonly StatusRecord[],
  options: VisibleAmongOptions,
  known: { readonly authors?: ReadonlyMap<bigint, AccountRecord>; readonly mentions?: ReadonlyMap<bigint, readonly bigint[]> } = {},
): Promise<StatusRecord[]> {
  if (statuses.length === 0) return [];
  const authorIds = [...new Set(statuses.map((s) => s.accountId))];
  const missing = authorIds.filter((id) => !known.authors?.has(id));
  const authors = new Map(known.authors ?? []);
  if (missing.length > 0) for (const a of await deps.db.repos.accounts.findByIds(missing)) authors.set(a.id, a);
  const others = viewerId === null ? [] : authorIds.filter((id) => id !== viewerId);
  const domains = [...new Set(others.map((id) => authors.get(id)?.domain).filter((d): d is string => typeof d === "string"))];
  const hidden = statuses.filter((s) => s.accountId !== viewerId && (s.visibility === "private" || s.visibility === "direct")).map((s) => s.id);
  const [facts, mentions] = await Promise.all([
    others.length > 0 && viewerId !== null ? deps.db.repos.interactions.authorFacts(viewerId, others, domains, deps.clock.now()) : Promise.resolve(null),
    viewerId === null || hidden.length === 0
      ? Promise.resolve(new Map<bigint, readonly bigint[]>())
      : known.mentions ?? deps.db.repos.statuses.mentionsOf(hidden),
  ]);
  return statuses.filter((s) => {
    const author = authors.get(s.accountId);
    if (!isAvailable(author)) return false;
    if (viewerId === null) return canView(s.visibility, null, options.context);
    if (s.accountId === viewerId) return true;
    if (!facts) return false;
    const id = s.accountId;
    if (options.hideMuted && (facts.mutes.has(id) || facts.blocks.has(id) || facts.blockedBy.has(id))) return false;
    return canView(s.visibility, {
      isAuthor: false,
      followsAuthor: facts.follows.has(id),
      mentioned: (mentions.get(s.id) ?? []).includes(viewerId),
      blockedByAuthor: facts.blockedBy.has(id),
      blocksAuthor: facts.blocks.has(id),
      domainBlocksAuthor: author.domain !== null && facts.blockedDomains.has(author.domain.toLowerCase()),
    }, options.context);
  });
}

/**
 * The status an interaction is about: the one `statusId` names, or, when that is a boost, the boosted status
 * (as Mastodon's services act on `status.proper`). Null unless the viewer may see both.
 */
export async function findProperStatus(
  deps: { readonly db: Database },
  statusId: bigint,
  viewerId: bigint,
): Promise<{ status: StatusRecord; author: AccountRecord } | null> {
  const found = await findVisibleStatus(deps, statusId, viewerId);
  if (!found || found.status.reblogOfId === null) return found;
  return findVisibleStatus(deps, found.status.reblogOfId, viewerId);
}
