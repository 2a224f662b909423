import type { Context, Hono } from "hono";
import { currentTrends, trendingStatuses } from "../../../services/trends/trends.ts";
import type { HerdEnv } from "../../app.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { renderTrendingLink, renderTrendingTag } from "../serializers/content.ts";
import { scopeIfToken, viewerOf } from "./account-helpers.ts";
import { readOffsetPage, setOffsetLinks } from "./offset-params.ts";
import { renderStatusList } from "./status-helpers.ts";

/**
 * Trends, computed by the refresh-trends job: tags, statuses and links. Public; a token, if given, must allow
 * reading, and the viewer's blocks and mutes leave statuses out.
 */
export function mountTrends(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;

  const tags = async (c: Context<ApiEnv>) => {
    const page = readOffsetPage(c, { limit: 10, max: 20 });
    const items = (await currentTrends(deps)).tags.slice(page.offset, page.offset + page.limit);
    setOffsetLinks(c, deps.instance.baseUrl, page, items.length);
    const viewer = viewerOf(c);
    let facts: { following: Set<string>; featuring: Set<string> } | null = null;
    if (viewer !== null) {
      const ids = items.map((t) => BigInt(t.id ?? "0"));
      const [following, featuring] = await Promise.all([deps.db.repos.tags.followedAmong(viewer, ids), deps.db.repos.tags.featuredAmong(viewer, ids)]);
      facts = { following: new Set([...following].map(String)), featuring: new Set([...featuring].map(String)) };
    }
    return c.json(items.map((t) => renderTrendingTag(deps.instance.baseUrl, t, facts)));
  };
  app.get("/api/v1/trends/tags", scopeIfToken("read"), tags);
  // The pre-3.5 name, still answered by Mastodon.
  app.get("/api/v1/trends", scopeIfToken("read"), tags);

  app.get("/api/v1/trends/statuses", scopeIfToken("read:statuses"), async (c) => {
    const page = readOffsetPage(c, { limit: 20, max: 40 });
    const viewer = viewerOf(c);
    const statuses = await trendingStatuses(deps, viewer, page.offset, page.limit);
    setOffsetLinks(c, deps.instance.baseUrl, page, statuses.length);
    return c.json(await renderStatusList(deps, statuses, viewer, "public"));
  });

  app.get("/api/v1/trends/links", scopeIfToken("read"), async (c) => {
    const page = readOffsetPage(c, { limit: 10, max: 20 });
    const items = (await currentTrends(deps)).links.slice(page.offset, page.offset + page.limit);
    setOffsetLinks(c, deps.instance.baseUrl, page, items.length);
    return c.json(items.map(renderTrendingLink));
  });
}
