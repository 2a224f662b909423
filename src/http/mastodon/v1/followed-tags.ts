import type { Hono } from "hono";
import { followedTags } from "../../../services/tags/follow-tags.ts";
import type { HerdEnv } from "../../app.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { linkRows } from "./account-helpers.ts";
import { tagDeps, tagsJson } from "./tag-helpers.ts";

// Mastodon's FollowedTagsController: 100 by default, at most 200.
const TAG_PAGE = { limit: 100, max: 200 };

/** GET /api/v1/followed_tags: the tags the user follows, newest follow first, paged by the follow's id. */
export function mountFollowedTags(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = tagDeps(deps);

  app.get("/api/v1/followed_tags", requireScope("read:follows"), async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const rows = await followedTags(services, viewer, readPage(c, TAG_PAGE));
    linkRows(c, deps, rows);
    return c.json(await tagsJson(deps, rows.map((r) => r.tag), viewer));
  });
}
