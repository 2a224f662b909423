/** followed: replies to anyone the owner follows; list: replies to other members; none: no replies. */
export type RepliesPolicy = "followed" | "list" | "none";

export const REPLIES_POLICIES: readonly RepliesPolicy[] = ["followed", "list", "none"];

export interface ListRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly title: string;
  readonly repliesPolicy: RepliesPolicy;
  /** Members' statuses leave the owner's home feed (they only show in this list). */
  readonly exclusive: boolean;
}

export interface ListChanges {
  readonly title?: string;
  readonly repliesPolicy?: RepliesPolicy;
  readonly exclusive?: boolean;
}

/** A list that holds an author, as fan-out needs it. */
export interface ListHolding {
  readonly listId: bigint;
  readonly ownerId: bigint;
  readonly repliesPolicy: RepliesPolicy;
  /** Whether the list is exclusive: its members' posts stay out of the owner's home feed. */
  readonly exclusive: boolean;
}

/** Lists (Mastodon's lists and list_accounts): an owner's named sets of followed accounts. */
export interface ListsRepository {
  create(input: { id: bigint; accountId: bigint; title: string; repliesPolicy: RepliesPolicy; exclusive: boolean; now: number }): Promise<void>;
  /** A list of `ownerId`'s, or null (others' lists do not exist for them). */
  find(ownerId: bigint, listId: bigint): Promise<ListRecord | null>;
  /** The owner's lists, oldest first (Mastodon orders them by id). */
  listOwn(ownerId: bigint): Promise<ListRecord[]>;
  countOwn(ownerId: bigint): Promise<number>;
  update(listId: bigint, changes: ListChanges, now: number): Promise<void>;
  /** Deletes a list and its members; false when it was gone. */
  delete(ownerId: bigint, listId: bigint): Promise<boolean>;
  /** Adds members (ids are row ids, paired with account ids); existing members are left as they are. */
  addMembers(listId: bigint, members: readonly { id: bigint; accountId: bigint }[]): Promise<void>;
  /** Removes members; returns how many rows went. */
  removeMembers(listId: bigint, accountIds: readonly bigint[]): Promise<number>;
  /** Which of `accountIds` are members of the list. */
  membersAmong(listId: bigint, accountIds: readonly bigint[]): Promise<Set<bigint>>;
  /** Every member's account id (list feeds are rebuilt from them). */
  memberIds(listId: bigint): Promise<bigint[]>;
  /** A page of members, newest row first; `limit` 0 means all. */
  membersPage(listId: bigint, page: { maxId?: bigint; sinceId?: bigint; minId?: bigint; limit: number }): Promise<{ rowId: bigint; accountId: bigint }[]>;
  /** `ownerId`'s lists that hold `memberId`. */
  listsHolding(ownerId: bigint, memberId: bigint): Promise<ListRecord[]>;
  /** Every list, of any local owner, that holds `memberId`. */
  holdingsOf(memberId: bigint): Promise<ListHolding[]>;
  /** Members of `ownerId`'s exclusive lists. */
  exclusiveMembers(ownerId: bigint): Promise<Set<bigint>>;
  /** Takes `memberId` out of every list of `ownerId` (after an unfollow); returns the lists it left. */
  removeFromOwnerLists(ownerId: bigint, memberId: bigint): Promise<bigint[]>;
}
