import type { Hono } from "hono";
import { homeTimeline, listTimeline, publicTimeline } from "../../../services/timelines/read-timelines.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { bool, readParams } from "../params.ts";
import { idParam, scopeIfToken, viewerOf } from "./account-helpers.ts";
import { statusPageResponse } from "./status-helpers.ts";

const STATUS_PAGE = { limit: 20, max: 40 };

/**
 * Timelines: home (from the viewer's feed, rebuilt from the database when missing), a list's, and the public
 * ones (local, remote, media only), which anyone may read, as on Mastodon's default settings.
 */
export function mountTimelines(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;

  app.get("/api/v1/timelines/home", requireScope("read:statuses"), async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const page = await homeTimeline(deps, viewer, readPage(c, STATUS_PAGE));
    return statusPageResponse(c, deps, page.statuses, viewer, "home", page.keys, page.state);
  });

  app.get("/api/v1/timelines/list/:list_id", requireScope("read:lists"), async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const list = await deps.db.repos.lists.find(viewer, idParam(c, "list_id"));
    if (!list) throw new HttpError(404, "Record not found");
    const page = await listTimeline(deps, list, readPage(c, STATUS_PAGE));
    return statusPageResponse(c, deps, page.statuses, viewer, "home", page.keys, page.state);
  });

  app.get("/api/v1/timelines/public", scopeIfToken("read:statuses"), async (c) => {
    const params = await readParams(c);
    const local = bool(params, "local") ?? false;
    const remote = bool(params, "remote") ?? false;
    const viewer = viewerOf(c);
    // Both flags at once ask for statuses that are local and remote: none, as Mastodon's scopes combine.
    const statuses =
      local && remote
        ? []
        : await publicTimeline(deps, viewer, { ...readPage(c, STATUS_PAGE), local: local ? true : remote ? false : undefined, onlyMedia: bool(params, "only_media") ?? false });
    return statusPageResponse(c, deps, statuses, viewer, "public");
  });
}
