import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { ListedAccount, ListedMute, RelationshipState, RowPage } from "../../ports/repositories/relationships.ts";
import type { AccountReadDeps } from "../accounts/read-accounts.ts";
import { isAvailable } from "./follow.ts";

/** A page of accounts with the row ids that page them (the Link header carries those, not account ids). */
export interface AccountPage<T extends ListedAccount = ListedAccount> {
  readonly rows: readonly T[];
  /** The listed accounts, by id (rows whose account vanished meanwhile have no entry). */
  readonly accounts: ReadonlyMap<bigint, AccountRecord>;
}

async function withAccounts<T extends ListedAccount>(deps: AccountReadDeps, rows: T[]): Promise<AccountPage<T>> {
  const accounts = await deps.db.repos.accounts.findByIds([...new Set(rows.map((r) => r.accountId))]);
  return { rows, accounts: new Map(accounts.map((a) => [a.id, a])) };
}

const EMPTY_PAGE: AccountPage<never> = { rows: [], accounts: new Map() };

/**
 * Whether `owner`'s followers, follows or endorsements are hidden from `viewerId`: suspended owners show none;
 * an owner who blocks the viewer shows none to them; `hide_collections` hides followers and follows from everyone
 * but the owner.
 */
async function hiddenFrom(deps: AccountReadDeps, owner: AccountRecord, viewerId: bigint | null, respectHideCollections: boolean): Promise<boolean> {
  if (owner.suspendedAt !== null) return true;
  if (respectHideCollections && owner.hideCollections && viewerId !== owner.id) return true;
  if (viewerId !== null && viewerId !== owner.id) {
    const blocks = await deps.db.repos.relationships.blocksBetween(owner.id, viewerId);
    if (blocks.aBlocksB) return true;
  }
  return false;
}

/**
 * GET /accounts/:id/followers or /following: newest follow first. Others' lists leave out accounts the viewer
 * blocks, is blocked by or mutes, as Mastodon's do.
 */
export async function networkPage(deps: AccountReadDeps, list: "followers" | "following", owner: AccountRecord, viewerId: bigint | null, page: RowPage): Promise<AccountPage> {
  if (await hiddenFrom(deps, owner, viewerId, true)) return EMPTY_PAGE;
  const filter = viewerId !== null && viewerId !== owner.id ? { excludeFor: viewerId, now: deps.clock.now() } : undefined;
  return withAccounts(deps, await deps.db.repos.relationships.listAccounts(list, owner.id, page, filter));
}

/** GET /accounts/:id/endorsements: the accounts `owner` features. */
export async function endorsementsPage(deps: AccountReadDeps, owner: AccountRecord, viewerId: bigint | null, page: RowPage): Promise<AccountPage> {
  if (await hiddenFrom(deps, owner, viewerId, false)) return EMPTY_PAGE;
  return withAccounts(deps, await deps.db.repos.relationships.listAccounts("endorsements", owner.id, page));
}

/** The signed-in account's own lists: blocks, pending follow requests received, endorsements. */
export async function ownListPage(deps: AccountReadDeps, list: "blocks" | "follow_requests" | "endorsements", accountId: bigint, page: RowPage): Promise<AccountPage> {
  return withAccounts(deps, await deps.db.repos.relationships.listAccounts(list, accountId, page));
}

/** The signed-in account's unexpired mutes. */
export async function mutesPage(deps: AccountReadDeps, accountId: bigint, page: RowPage): Promise<AccountPage<ListedMute>> {
  return withAccounts(deps, await deps.db.repos.relationships.listMutes(accountId, page, deps.clock.now()));
}

/** The relationship to each requested account, in the order asked; unknown (and, unless asked, suspended) ones left out. */
export async function relationshipsWith(deps: AccountReadDeps, viewerId: bigint, ids: readonly bigint[], withSuspended: boolean): Promise<[bigint, RelationshipState][]> {
  const states = await deps.db.repos.relationships.relationships(viewerId, [...new Set(ids)], deps.clock.now());
  return [...states].filter(([, s]) => withSuspended || !s.targetSuspended);
}

/** The relationship to one account (every write endpoint answers with it). */
export async function relationshipWith(deps: AccountReadDeps, viewerId: bigint, id: bigint): Promise<RelationshipState | null> {
  const states = await deps.db.repos.relationships.relationships(viewerId, [id], deps.clock.now());
  return states.get(id) ?? null;
}

/** GET /accounts/familiar_followers: for each available account asked about, the followers the viewer follows. */
export async function familiarFollowers(deps: AccountReadDeps, viewerId: bigint, ids: readonly bigint[]): Promise<{ id: bigint; accounts: AccountRecord[] }[]> {
  const targets = (await deps.db.repos.accounts.findByIds([...new Set(ids)])).filter((a) => isAvailable(a));
  const order = [...new Set(ids)].filter((id) => targets.some((t) => t.id === id));
  const map = await deps.db.repos.relationships.familiarFollowers(viewerId, order);
  const followerIds = [...new Set([...map.values()].flat())];
  const followers = new Map((await deps.db.repos.accounts.findByIds(followerIds)).map((a) => [a.id, a]));
  return order.map((id) => ({ id, accounts: (map.get(id) ?? []).map((f) => followers.get(f)).filter((a): a is AccountRecord => a !== undefined) }));
}

/** The signed-in account's blocked domains, newest first. */
export async function domainBlocksPage(deps: AccountReadDeps, accountId: bigint, page: RowPage): Promise<{ rowId: bigint; domain: string }[]> {
  return deps.db.repos.relationships.listDomainBlocks(accountId, page);
}
