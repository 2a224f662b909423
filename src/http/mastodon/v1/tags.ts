import type { Hono } from "hono";
import { featureTag, unfeatureTagByName } from "../../../services/tags/featured-tags.ts";
import { followTag, unfollowTag } from "../../../services/tags/follow-tags.ts";
import { showTag, tagTimeline } from "../../../services/tags/read-tags.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { bool, list, readParams } from "../params.ts";
import { scopeIfToken, viewerOf } from "./account-helpers.ts";
import { statusPageResponse } from "./status-helpers.ts";
import { tagDeps, tagFailure, tagJson } from "./tag-helpers.ts";

const STATUS_PAGE = { limit: 20, max: 40 };

/**
 * Hashtags: a tag (with its week of history), following and featuring it, and its timeline. The path names the
 * tag case-insensitively; following or featuring a valid name nobody used yet creates the tag.
 */
export function mountTags(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = tagDeps(deps);
  const active = requireActiveUser(deps);

  // Mastodon's TagsController#show checks no scope: public, and any token is accepted.
  app.get("/api/v1/tags/:name", async (c) => {
    const tag = await showTag(services, c.req.param("name"));
    if (!tag) throw new HttpError(404, "Record not found");
    return c.json(await tagJson(deps, tag, viewerOf(c)));
  });

  app.post("/api/v1/tags/:name/follow", requireScope("write:follows"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const result = await followTag(services, viewer, c.req.param("name"));
    if (!result.ok) tagFailure(result.error);
    return c.json(await tagJson(deps, result.value, viewer));
  });

  app.post("/api/v1/tags/:name/unfollow", requireScope("write:follows"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const result = await unfollowTag(services, viewer, c.req.param("name"));
    if (!result.ok) tagFailure(result.error);
    return c.json(await tagJson(deps, result.value, viewer));
  });

  app.post("/api/v1/tags/:name/feature", requireScope("write:accounts"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const result = await featureTag(services, viewer, c.req.param("name"));
    if (!result.ok) tagFailure(result.error);
    return c.json(await tagJson(deps, result.value.tag, viewer));
  });

  app.post("/api/v1/tags/:name/unfeature", requireScope("write:accounts"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const result = await unfeatureTagByName(services, viewer, c.req.param("name"));
    if (!result.ok) tagFailure(result.error);
    return c.json(await tagJson(deps, result.value, viewer));
  });

  app.get("/api/v1/timelines/tag/:hashtag", scopeIfToken("read:statuses"), async (c) => {
    const params = await readParams(c);
    const viewer = viewerOf(c);
    const statuses = await tagTimeline({ ...services, cache: deps.cache }, viewer, {
      hashtag: c.req.param("hashtag"),
      any: list(params, "any"),
      all: list(params, "all"),
      none: list(params, "none"),
      local: bool(params, "local") ?? false,
      remote: bool(params, "remote") ?? false,
      onlyMedia: bool(params, "only_media") ?? false,
      ...readPage(c, STATUS_PAGE),
    });
    return statusPageResponse(c, deps, statuses, viewer, "public");
  });
}
