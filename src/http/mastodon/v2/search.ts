import type { Hono } from "hono";
import { parseId } from "../../../domain/ids.ts";
import { search, type SearchType } from "../../../services/search/search.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, readParams, str } from "../params.ts";
import { renderAccount } from "../serializers/account.ts";
import { scopeIfToken, viewerOf } from "../v1/account-helpers.ts";
import { accountEmojiContext } from "../v1/emoji-helpers.ts";
import { renderStatusList } from "../v1/status-helpers.ts";
import { tagsJson } from "../v1/tag-helpers.ts";

// Mastodon's Api::V2::SearchController: 20 results by default, at most 40.
const LIMIT = { limit: 20, max: 40 };
const TYPES: readonly string[] = ["accounts", "hashtags", "statuses"];

function intParam(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : fallback;
}

/**
 * GET /api/v2/search. Anonymous searchers get accounts and hashtags only, and may neither page with `offset`
 * nor `resolve`, as Mastodon answers (401). `resolve` looks up this instance's URLs, and remote handles and URLs
 * through the resolver (WebFinger and ActivityPub fetches).
 */
export function mountSearch(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;

  app.get("/api/v2/search", scopeIfToken("read:search"), async (c) => {
    const params = await readParams(c);
    const q = str(params, "q");
    if (q === undefined || q === "") throw new HttpError(400, "param is missing or the value is empty: q");
    const viewer = viewerOf(c);
    if (viewer === null) {
      if (str(params, "offset") !== undefined && str(params, "offset") !== "")
        throw new HttpError(401, "Search queries pagination is not supported without authentication");
      if (bool(params, "resolve")) throw new HttpError(401, "Search queries that resolve remote resources are not supported without authentication");
    }
    const type = str(params, "type");
    const empty = { accounts: [], statuses: [], hashtags: [] };
    // An unknown type searches nothing, as in Mastodon (each kind is searched only when asked for or no type is given).
    if (type !== undefined && type !== "" && !TYPES.includes(type)) return c.json(empty);
    const accountId = str(params, "account_id");
    const services = {
      db: deps.db, clock: deps.clock, search: deps.search, localDomain: deps.instance.localDomain, baseUrl: deps.instance.baseUrl,
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
    };
    const results = await search(services, viewer, {
      q,
      resolve: bool(params, "resolve") ?? false,
      type: type ? (type as SearchType) : undefined,
      following: bool(params, "following") ?? false,
      accountId: accountId ? (parseId(accountId) ?? -1n) : undefined,
      excludeUnreviewed: bool(params, "exclude_unreviewed") ?? false,
      maxId: parseId(str(params, "max_id") ?? "") ?? undefined,
      minId: parseId(str(params, "min_id") ?? "") ?? undefined,
      limit: intParam(str(params, "limit"), LIMIT.limit, 1, LIMIT.max),
      offset: intParam(str(params, "offset"), 0, 0, 10_000),
    });
    // Statuses found are shown in the public context, as Mastodon's search: `warn` filters fill `filtered`, `hide` ones drop them.
    const [statuses, actx] = await Promise.all([renderStatusList(deps, results.statuses, viewer, "public"), accountEmojiContext(deps, results.accounts)]);
    return c.json({
      accounts: results.accounts.map((a) => renderAccount(actx, a)),
      statuses,
      hashtags: await tagsJson(deps, results.hashtags, viewer),
    });
  });
}
