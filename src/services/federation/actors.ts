import { visibleSets } from "../../domain/visibility.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountKeys } from "../../ports/repositories/account-keys.ts";
import { INSTANCE_ACTOR_KEY_ID } from "../../ports/repositories/account-keys.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { FeaturedTagRecord } from "../../ports/repositories/tags.ts";
import type { CustomEmojiRecord } from "../../ports/repositories/custom-emojis.ts";
import { customEmojiTable, emojisUsed } from "../emojis/custom-emojis.ts";
import { ensureActorKeys } from "./keys.ts";

export interface FederationReadDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** A local account as its actor document needs it: the profile, the keys it signs with, its custom emojis. */
export interface LocalActor {
  readonly account: AccountRecord;
  readonly keys: AccountKeys;
  /** The enabled local emojis its name, bio and fields use. */
  readonly emojis: readonly CustomEmojiRecord[];
}

/** What the actor URL of a username stands for: an actor, a suspended one (410 Gone), or nothing (404). */
export type ActorLookup = { readonly kind: "actor"; readonly actor: LocalActor } | { readonly kind: "gone"; readonly account: AccountRecord } | null;

/** Page size of the outbox and the followers/following collections, as Mastodon's. */
export const COLLECTION_PAGE_SIZE = 20;

/**
 * A local account that may be federated: confirmed and approved (Mastodon answers 404 for unconfirmed and
 * pending accounts), not suspended. Keys are generated here when the creation job has not run yet.
 */
export async function findLocalActor(deps: FederationReadDeps, username: string): Promise<ActorLookup> {
  const account = await findPublishedAccount(deps, username);
  if (!account) return null;
  if (account.suspendedAt !== null) return { kind: "gone", account };
  const [keys, table] = await Promise.all([ensureActorKeys(deps, account.id), customEmojiTable(deps)]);
  const emojis = emojisUsed(table, account.displayName, account.note, ...account.fields.flatMap((f) => [f.name, f.value]));
  return { kind: "actor", actor: { account, keys, emojis } };
}

/** The account behind a username if it is published (suspended ones included, for 410). */
export async function findPublishedAccount(deps: FederationReadDeps, username: string): Promise<AccountRecord | null> {
  const account = await deps.db.repos.accounts.findLocalRecord(username);
  if (!account || account.domain !== null || account.user === null) return null;
  if (!account.user.confirmed || !account.user.approved) return null;
  return account;
}

/** An enabled local custom emoji by id, for its ActivityPub object at /emojis/{id}. */
export async function findLocalEmoji(deps: FederationReadDeps, id: bigint): Promise<CustomEmojiRecord | null> {
  for (const e of (await customEmojiTable(deps)).values()) if (e.id === id) return e;
  return null;
}

/** The instance actor's keys (generated on first use). */
export function instanceActorKeys(deps: FederationReadDeps): Promise<AccountKeys> {
  return ensureActorKeys(deps, INSTANCE_ACTOR_KEY_ID);
}

/** Statuses anyone may read (public and unlisted), from the one visibility policy. */
function anonymousVisibility() {
  const sets = visibleSets(null);
  return { ...sets, viewerId: null };
}

/** A page of an account's public and unlisted posts (not boosts), newest first, older than `maxId`. */
export function outboxPage(deps: FederationReadDeps, account: AccountRecord, maxId: bigint | undefined): Promise<StatusRecord[]> {
  return deps.db.repos.statuses.listByAccount(account.id, {
    limit: COLLECTION_PAGE_SIZE,
    ...(maxId === undefined ? {} : { maxId }),
    excludeReblogs: true,
    visibleTo: anonymousVisibility(),
  });
}

/** The pinned statuses anyone may read, for the `featured` collection. */
export function featuredStatuses(deps: FederationReadDeps, account: AccountRecord): Promise<StatusRecord[]> {
  return deps.db.repos.statuses.listByAccount(account.id, { limit: 5, pinned: true, visibleTo: anonymousVisibility() });
}

/** The hashtags an account features on its profile. */
export function featuredTags(deps: FederationReadDeps, account: AccountRecord): Promise<FeaturedTagRecord[]> {
  return deps.db.repos.tags.listFeatured(account.id);
}

/** One page of followers or followed accounts (oldest row ids last), with the next page's cursor. */
export async function relationshipPage(
  deps: FederationReadDeps,
  list: "followers" | "following",
  account: AccountRecord,
  maxRowId: bigint | undefined,
): Promise<{ accounts: AccountRecord[]; nextMaxRowId: bigint | null }> {
  const rows = await deps.db.repos.relationships.listAccounts(list, account.id, {
    limit: COLLECTION_PAGE_SIZE,
    ...(maxRowId === undefined ? {} : { maxId: maxRowId }),
  });
  const byId = new Map((await deps.db.repos.accounts.findByIds(rows.map((r) => r.accountId))).map((a) => [a.id, a]));
  const accounts = rows.map((r) => byId.get(r.accountId)).filter((a): a is AccountRecord => a !== undefined && a.suspendedAt === null);
  return { accounts, nextMaxRowId: rows.length === COLLECTION_PAGE_SIZE ? rows[rows.length - 1].rowId : null };
}

/** NodeInfo's usage block: local users, active in the last month and half year, and local posts. */
export async function instanceUsage(deps: FederationReadDeps): Promise<{ users: number; activeMonth: number; activeHalfyear: number; localPosts: number }> {
  const now = deps.clock.now();
  const day = 86_400_000;
  const [month, halfYear] = await Promise.all([
    deps.db.repos.instance.counts(now - 30 * day),
    deps.db.repos.instance.counts(now - 180 * day),
  ]);
  return { users: month.users, activeMonth: month.activeUsers, activeHalfyear: halfYear.activeUsers, localPosts: month.statuses };
}
