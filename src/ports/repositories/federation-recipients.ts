import type { Visibility } from "../../domain/profile.ts";

/** A status as its Delete activity needs it, read even after the soft delete. */
export interface DeletedStatusRef {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly visibility: Visibility;
  readonly reblogOfId: bigint | null;
  readonly inReplyToAccountId: bigint | null;
  readonly mentionIds: readonly bigint[];
}

/** Where outgoing activities go: the inboxes of remote accounts, as their actor documents gave them. */
export interface FederationRecipientsRepository {
  /**
   * The distinct inboxes of an account's remote followers. `shared`: a server's shared inbox where it has one
   * (one delivery per server), else each follower's own inbox (followers-only posts, which a shared inbox
   * could show to others on that server).
   */
  followerInboxes(accountId: bigint, shared: boolean): Promise<string[]>;
  /** The distinct inboxes of the remote ones among `accountIds` (local ones have none). */
  inboxesOf(accountIds: readonly bigint[], shared: boolean): Promise<string[]>;
  /** Whether the account has a remote follower (posting skips federation work when none). */
  hasRemoteFollowers(accountId: bigint): Promise<boolean>;
  /** Remote accounts (not suspended) whose own inbox is `inbox`, with their actor ids. */
  accountsWithInbox(inbox: string): Promise<{ id: bigint; uri: string | null }[]>;
  /** A status with its mentions, deleted or not. */
  statusRef(id: bigint): Promise<DeletedStatusRef | null>;
}
