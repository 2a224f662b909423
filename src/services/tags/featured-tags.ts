import { err, ok, type Result } from "../../domain/result.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { FeaturedTagRecord, TagRecord } from "../../ports/repositories/tags.ts";
import { findOrCreateTag, type TagError } from "./follow-tags.ts";
import { tagKey, tagSpelling, type TagReadDeps, type UnsavedTag } from "./read-tags.ts";

/** Mastodon's FeaturedTag::LIMIT. */
export const FEATURED_TAGS_LIMIT = 10;
/** GET /featured_tags/suggestions answers up to ten. */
const SUGGESTIONS = 10;

/**
 * Features a tag on the account's profile (POST /featured_tags, POST /tags/:id/feature), creating the tag.
 * Featuring an already featured tag answers it again, as CreateFeaturedTagService does.
 */
export async function featureTag(deps: TagReadDeps, accountId: bigint, raw: string): Promise<Result<FeaturedTagRecord, TagError>> {
  if (tagKey(raw) === null) return err({ kind: "invalid", message: "Validation failed: Tag is invalid" });
  const tag = await findOrCreateTag(deps, raw);
  if (!tag) return err({ kind: "invalid", message: "Validation failed: Tag is invalid" });
  const repo = deps.db.repos.tags;
  const current = (await repo.listFeatured(accountId)).find((f) => f.tag.id === tag.id);
  if (current) return ok(current);
  const added = await deps.db.transaction(async (tx) => {
    // Counted under a lock in the inserting transaction; the unique (account, tag) index settles a double submit.
    await tx.accounts.lockForUpdate(accountId);
    if ((await tx.tags.countFeatured(accountId)) >= FEATURED_TAGS_LIMIT) return false;
    await tx.tags.feature(await tx.nextId(), accountId, tag.id, deps.clock.now());
    return true;
  });
  if (!added) return err({ kind: "invalid", message: "Validation failed: You have already featured the maximum number of hashtags" });
  const featured = (await repo.listFeatured(accountId)).find((f) => f.tag.id === tag.id);
  return featured ? ok(featured) : err({ kind: "not_found" });
}

/** DELETE /featured_tags/:id: only the account's own; others' and unknown ids are not found. */
export async function unfeatureTag(deps: TagReadDeps, accountId: bigint, featuredTagId: bigint): Promise<Result<null, TagError>> {
  return (await deps.db.repos.tags.unfeature(accountId, featuredTagId)) ? ok(null) : err({ kind: "not_found" });
}

/** POST /tags/:id/unfeature: stops featuring the tag; a tag not featured answers as it is. */
export async function unfeatureTagByName(deps: TagReadDeps, accountId: bigint, raw: string): Promise<Result<TagRecord | UnsavedTag, TagError>> {
  const key = tagKey(raw);
  if (key === null) return err({ kind: "not_found" });
  const tag = await deps.db.repos.tags.findByName(key);
  if (!tag) return ok({ id: null, name: tagSpelling(raw), nameLower: key });
  await deps.db.repos.tags.unfeatureTag(accountId, tag.id);
  return ok(tag);
}

/** The account's featured tags with their figures; a suspended or unpublished account shows none. */
export async function featuredTagsOf(deps: TagReadDeps, account: AccountRecord): Promise<FeaturedTagRecord[]> {
  if (account.suspendedAt !== null) return [];
  return deps.db.repos.tags.listFeatured(account.id);
}

/** GET /featured_tags/suggestions: the account's most used tags that it does not feature yet. */
export async function suggestedTags(deps: TagReadDeps, accountId: bigint): Promise<TagRecord[]> {
  return deps.db.repos.tags.mostUsedBy(accountId, SUGGESTIONS);
}
