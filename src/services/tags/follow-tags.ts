import { err, ok, type Result } from "../../domain/result.ts";
import type { RowPage } from "../../ports/repositories/relationships.ts";
import type { TagRecord } from "../../ports/repositories/tags.ts";
import { tagKey, tagSpelling, type TagReadDeps, type UnsavedTag } from "./read-tags.ts";

/** Why a tag action was refused. */
export type TagError = { readonly kind: "not_found" } | { readonly kind: "invalid"; readonly message: string };

/** A tag named by a path, created when it is valid and new (following or featuring a tag creates it). */
export async function findOrCreateTag(deps: TagReadDeps, raw: string): Promise<TagRecord | null> {
  const key = tagKey(raw);
  if (key === null) return null;
  const existing = await deps.db.repos.tags.findByName(key);
  if (existing) return existing;
  const name = tagSpelling(raw);
  return deps.db.transaction(async (tx) => (await tx.tags.findOrCreate([{ name, normalized: key }], () => tx.nextId(), deps.clock.now()))[0] ?? null);
}

/** POST /tags/:name/follow: follows the tag (creating it); following twice changes nothing. */
export async function followTag(deps: TagReadDeps, accountId: bigint, raw: string): Promise<Result<TagRecord, TagError>> {
  const tag = await findOrCreateTag(deps, raw);
  if (!tag) return err({ kind: "not_found" });
  const id = await deps.db.nextId();
  await deps.db.repos.tags.follow(id, accountId, tag.id, deps.clock.now());
  return ok(tag);
}

/** POST /tags/:name/unfollow: stops following; a tag not followed (or unknown but valid) answers as it is. */
export async function unfollowTag(deps: TagReadDeps, accountId: bigint, raw: string): Promise<Result<TagRecord | UnsavedTag, TagError>> {
  const key = tagKey(raw);
  if (key === null) return err({ kind: "not_found" });
  const tag = await deps.db.repos.tags.findByName(key);
  if (!tag) return ok({ id: null, name: tagSpelling(raw), nameLower: key });
  await deps.db.repos.tags.unfollow(accountId, tag.id);
  return ok(tag);
}

/** GET /followed_tags: a page of the account's followed tags, newest follow first. */
export async function followedTags(deps: TagReadDeps, accountId: bigint, page: RowPage): Promise<{ rowId: bigint; tag: TagRecord }[]> {
  return deps.db.repos.tags.listFollowed(accountId, page);
}
