import type { Hono } from "hono";
import { parseId } from "../../domain/ids.ts";
import { remoteMediaViewed } from "../../services/media/remote-media.ts";
import { findVisibleStatus } from "../../services/statuses/read-statuses.ts";
import type { HerdEnv } from "../app.ts";
import { HttpError } from "../errors.ts";
import type { ApiDeps } from "./context.ts";

/**
 * GET /media_proxy/:id[/:style] (original, the default, or small), Mastodon's MediaProxyController: the URL rendered for a remote
 * attachment that is not in the cache. The file is fetched again on the pull queue, and meanwhile the viewer is
 * sent to the origin's file; a cached one redirects to the local copy (and counts as a use for the retention
 * cleanup). Only attachments of statuses anyone may see (img tags send no token), as Mastodon's `show?` check.
 */
export function mountMediaProxy(root: Hono<HerdEnv>, deps: ApiDeps): void {
  // The style is optional, as in Mastodon's route (original by default).
  root.get("/media_proxy/:id/:style?", async (c) => {
    const id = parseId(c.req.param("id"));
    const style = c.req.param("style") ?? "original";
    if (id === null || (style !== "original" && style !== "small")) throw new HttpError(404, "Record not found");
    const m = await deps.db.repos.media.findById(id);
    if (!m || !m.remoteUrl || m.statusId === null) throw new HttpError(404, "Record not found");
    if (!(await findVisibleStatus(deps, m.statusId, null))) throw new HttpError(404, "Record not found");
    await remoteMediaViewed(deps, [m]);
    const key = style === "small" ? (m.thumbnailKey ?? m.smallKey) : m.fileKey;
    c.header("Cache-Control", "private, max-age=60");
    return c.redirect(key && m.fileKey ? deps.media.url(key) : m.remoteUrl, 302);
  });
}
