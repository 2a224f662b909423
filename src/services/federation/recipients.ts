import type { Database } from "../../ports/database.ts";
import type { DeletedStatusRef } from "../../ports/repositories/federation-recipients.ts";

/**
 * The inboxes a status's Create, Update or Delete goes to, from its visibility (as Mastodon addresses them):
 * public and unlisted posts to every remote follower's server (shared inboxes) and the mentioned accounts;
 * followers-only posts to each remote follower's own inbox and the mentioned; direct posts to the mentioned
 * only. The author of the status replied to hears of a public reply even when not mentioned.
 */
export async function statusInboxes(db: Database, ref: Pick<DeletedStatusRef, "accountId" | "visibility" | "mentionIds" | "inReplyToAccountId">): Promise<string[]> {
  const repo = db.repos.federationRecipients;
  const open = ref.visibility === "public" || ref.visibility === "unlisted";
  const audience = open && ref.inReplyToAccountId !== null ? [...ref.mentionIds, ref.inReplyToAccountId] : [...ref.mentionIds];
  const [followers, mentioned] = await Promise.all([
    ref.visibility === "direct" ? Promise.resolve([]) : repo.followerInboxes(ref.accountId, open),
    repo.inboxesOf(audience.filter((id) => id !== ref.accountId), open),
  ]);
  return [...new Set([...followers, ...mentioned])];
}

/** Inboxes of an account's remote followers' servers, for actor-wide activities (Update, Delete, Move). */
export async function followerServerInboxes(db: Database, accountId: bigint): Promise<string[]> {
  return db.repos.federationRecipients.followerInboxes(accountId, true);
}

/** The inbox of one account when it is remote (its own, not its server's: the activity is for it alone). */
export async function accountInbox(db: Database, accountId: bigint): Promise<string[]> {
  return db.repos.federationRecipients.inboxesOf([accountId], false);
}
