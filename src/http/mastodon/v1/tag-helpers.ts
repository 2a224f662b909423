import type { TagRecord } from "../../../ports/repositories/tags.ts";
import type { TagError } from "../../../services/tags/follow-tags.ts";
import { tagFacts, type TagReadDeps, type UnsavedTag } from "../../../services/tags/read-tags.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps } from "../context.ts";
import { renderTag } from "../serializers/tag.ts";

/** Tag services' dependencies from the API's. */
export function tagDeps(deps: ApiDeps): TagReadDeps {
  return { db: deps.db, clock: deps.clock };
}

/** Tag entities for a list of tags, with history and the viewer's following/featuring, in a few queries. */
export async function tagsJson(deps: ApiDeps, tags: readonly (TagRecord | UnsavedTag)[], viewerId: bigint | null): Promise<Record<string, unknown>[]> {
  const saved = tags.filter((t): t is TagRecord => t.id !== null);
  const facts = await tagFacts(tagDeps(deps), saved, viewerId);
  const now = deps.clock.now();
  return tags.map((t) => renderTag(deps.instance.baseUrl, t, facts, now));
}

/** One Tag entity. */
export async function tagJson(deps: ApiDeps, tag: TagRecord | UnsavedTag, viewerId: bigint | null): Promise<Record<string, unknown>> {
  return (await tagsJson(deps, [tag], viewerId))[0];
}

/** Turns a refused tag action into Mastodon's status and message. */
export function tagFailure(error: TagError): never {
  if (error.kind === "invalid") throw new HttpError(422, error.message);
  throw new HttpError(404, "Record not found");
}
