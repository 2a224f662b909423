import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { DirectoryQuery } from "../../ports/repositories/discovery.ts";

export interface DirectoryDeps {
  readonly db: Database;
  readonly clock: Clock;
}

/**
 * The profile directory: accounts that opted in (discoverable), not suspended or limited, newest or most recently
 * active first. The viewer's blocks and mutes are left out, as Mastodon's DirectoryController does.
 */
export async function profileDirectory(deps: DirectoryDeps, viewerId: bigint | null, query: DirectoryQuery): Promise<AccountRecord[]> {
  const accounts = await deps.db.repos.discovery.directory(query);
  if (viewerId === null || accounts.length === 0) return accounts;
  const relations = await deps.db.repos.relationships.relationships(viewerId, accounts.map((a) => a.id), deps.clock.now());
  return accounts.filter((a) => {
    const r = relations.get(a.id);
    return !r || !(r.blocking || r.blockedBy || r.muting || r.domainBlocking);
  });
}

/**
 * Accounts to follow: the most followed discoverable local accounts the viewer does not follow, block, mute or
 * dismissed (Mastodon's "most_followed" source, the one that needs no interaction history).
 */
export function followSuggestions(deps: DirectoryDeps, viewerId: bigint, limit: number): Promise<AccountRecord[]> {
  return deps.db.repos.discovery.suggestions(viewerId, limit);
}

/** Stops suggesting `targetId` to `viewerId`; an unknown account is not an error, as in Mastodon. */
export async function dismissSuggestion(deps: DirectoryDeps, viewerId: bigint, targetId: bigint): Promise<void> {
  const target = await deps.db.repos.accounts.findById(targetId);
  if (!target) return;
  await deps.db.transaction(async (tx) => tx.discovery.dismissSuggestion(await tx.nextId(), viewerId, targetId, deps.clock.now()));
}
