import type { Visibility } from "../../domain/profile.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { Repositories } from "../../ports/repositories/index.ts";

/** What decides whether a status has anyone remote to tell. */
export interface StatusAudience {
  readonly accountId: bigint;
  readonly inReplyToAccountId: bigint | null;
  readonly visibility: Visibility;
}

/**
 * Whether a local status has a remote audience: a remote follower of its author (one indexed look-up), or a
 * remote account it mentions or replies to (a direct status only reaches those it mentions). Posting, editing
 * and deleting skip the federation job when it has none, so an instance that federates with nobody pays one
 * query per post. `known.remoteFollowers`: whether the author has remote followers, when the caller just read it.
 */
export async function hasRemoteAudience(
  repos: Repositories,
  status: StatusAudience,
  mentioned: readonly (AccountRecord | bigint)[],
  known: { readonly remoteFollowers?: boolean } = {},
): Promise<boolean> {
  // Accounts the caller has in hand are checked as they are; only bare ids (and the parent's author) are read.
  if (mentioned.some((m) => typeof m !== "bigint" && m.domain !== null)) return true;
  const others = mentioned.filter((m): m is bigint => typeof m === "bigint");
  if (status.visibility !== "direct" && status.inReplyToAccountId !== null && status.inReplyToAccountId !== status.accountId)
    others.push(status.inReplyToAccountId);
  if (others.length > 0 && (await repos.accounts.findByIds(others)).some((a) => a.domain !== null)) return true;
  if (status.visibility === "direct") return false;
  return known.remoteFollowers ?? repos.federationRecipients.hasRemoteFollowers(status.accountId);
}
