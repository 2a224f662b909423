import { err, ok, type Result } from "../../domain/result.ts";
import { REPLIES_POLICIES, type ListRecord, type RepliesPolicy } from "../../ports/repositories/lists.ts";
import { homeKey, listKey, type TimelineDeps } from "./deps.ts";
import { rebuildList } from "./rebuild.ts";

/** Mastodon's List::PER_ACCOUNT_LIMIT. */
export const LISTS_PER_ACCOUNT = 50;

/** Why a list change was refused (routes map each kind to Mastodon's status and message). */
export type ListError = { readonly kind: "not_found" } | { readonly kind: "invalid"; readonly message: string };

export interface ListInput {
  readonly title?: string;
  readonly repliesPolicy?: string;
  readonly exclusive?: boolean;
}

const invalid = (message: string) => err<ListError>({ kind: "invalid", message: `Validation failed: ${message}` });

function checked(input: ListInput, creating: boolean): Result<{ title?: string; repliesPolicy?: RepliesPolicy; exclusive?: boolean }, ListError> {
  const title = input.title?.trim();
  if ((creating || input.title !== undefined) && !title) return invalid("Title can't be blank");
  let repliesPolicy: RepliesPolicy | undefined;
  if (input.repliesPolicy !== undefined && input.repliesPolicy !== "") {
    if (!(REPLIES_POLICIES as readonly string[]).includes(input.repliesPolicy)) return invalid("Replies policy is not included in the list");
    repliesPolicy = input.repliesPolicy as RepliesPolicy;
  }
  return ok({ title, repliesPolicy, exclusive: input.exclusive });
}

/** Creates a list (replies policy "list" and not exclusive unless asked), at most LISTS_PER_ACCOUNT per owner. */
export async function createList(deps: TimelineDeps, ownerId: bigint, input: ListInput): Promise<Result<ListRecord, ListError>> {
  const valid = checked(input, true);
  if (!valid.ok) return valid;
  const result = await deps.db.transaction(async (tx): Promise<Result<ListRecord, ListError>> => {
    if ((await tx.lists.countOwn(ownerId)) >= LISTS_PER_ACCOUNT) return invalid("You have reached the maximum number of lists");
    const list: ListRecord = {
      id: await tx.nextId(), accountId: ownerId, title: valid.value.title!, repliesPolicy: valid.value.repliesPolicy ?? "list", exclusive: valid.value.exclusive ?? false,
    };
    await tx.lists.create({ ...list, now: deps.clock.now() });
    return ok(list);
  });
  // A new list has no members: its feed exists, empty, so the first read need not rebuild.
  if (result.ok) await deps.feeds.replace(listKey(result.value.id), []);
  return result;
}

/**
 * Changes a list's title, replies policy or exclusivity. A new policy changes which replies the feed holds and
 * a new exclusivity what the owner's home holds: those feeds are dropped and rebuilt on the next read.
 */
export async function updateList(deps: TimelineDeps, ownerId: bigint, listId: bigint, input: ListInput): Promise<Result<ListRecord, ListError>> {
  const valid = checked(input, false);
  if (!valid.ok) return valid;
  const list = await deps.db.repos.lists.find(ownerId, listId);
  if (!list) return err({ kind: "not_found" });
  await deps.db.repos.lists.update(listId, valid.value, deps.clock.now());
  const updated = (await deps.db.repos.lists.find(ownerId, listId)) ?? list;
  if (updated.repliesPolicy !== list.repliesPolicy) await deps.feeds.drop(listKey(listId));
  if (updated.exclusive !== list.exclusive) await deps.feeds.drop(homeKey(ownerId));
  return ok(updated);
}

/** Deletes one of the owner's lists and its feed (and the owner's home, which an exclusive list kept statuses out of). */
export async function deleteList(deps: TimelineDeps, ownerId: bigint, listId: bigint): Promise<Result<void, ListError>> {
  const list = await deps.db.repos.lists.find(ownerId, listId);
  if (!list) return err({ kind: "not_found" });
  await deps.db.transaction((tx) => tx.lists.delete(ownerId, listId));
  await deps.feeds.drop(listKey(listId));
  if (list.exclusive) await deps.feeds.drop(homeKey(ownerId));
  return ok(undefined);
}

/**
 * Adds accounts to a list. Each must be followed by the owner (or asked to be: Mastodon accepts a pending
 * request), else "not found"; one already in the list refuses the whole call, as Mastodon's uniqueness check.
 * The list feed is rebuilt with the new members' statuses; an exclusive list's owner's home is dropped.
 */
export async function addListAccounts(deps: TimelineDeps, ownerId: bigint, listId: bigint, accountIds: readonly bigint[]): Promise<Result<void, ListError>> {
  const list = await deps.db.repos.lists.find(ownerId, listId);
  if (!list) return err({ kind: "not_found" });
  const result = await deps.db.transaction(async (tx): Promise<Result<void, ListError>> => {
    for (const id of accountIds) {
      const followed = (await tx.relationships.findFollow(ownerId, id)) ?? (await tx.relationships.findFollowRequest(ownerId, id));
      if (!followed) return err({ kind: "not_found" });
    }
    if ((await tx.lists.membersAmong(listId, accountIds)).size > 0) return invalid("Account has already been taken");
    const rows = [];
    for (const accountId of accountIds) rows.push({ id: await tx.nextId(), accountId });
    await tx.lists.addMembers(listId, rows);
    return ok(undefined);
  });
  if (!result.ok || accountIds.length === 0) return result;
  await rebuildList(deps, list);
  if (list.exclusive) await deps.feeds.drop(homeKey(ownerId));
  return result;
}

/** Removes accounts from a list; its feed is rebuilt without them (an exclusive list's owner's home is dropped). */
export async function removeListAccounts(deps: TimelineDeps, ownerId: bigint, listId: bigint, accountIds: readonly bigint[]): Promise<Result<void, ListError>> {
  const list = await deps.db.repos.lists.find(ownerId, listId);
  if (!list) return err({ kind: "not_found" });
  const removed = await deps.db.transaction((tx) => tx.lists.removeMembers(listId, accountIds));
  if (removed > 0) {
    await rebuildList(deps, list);
    if (list.exclusive) await deps.feeds.drop(homeKey(ownerId));
  }
  return ok(undefined);
}
