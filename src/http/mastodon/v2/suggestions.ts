import type { Hono } from "hono";
import { followSuggestions } from "../../../services/directory/directory.ts";
import type { HerdEnv } from "../../app.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { renderAccount } from "../serializers/account.ts";
import { accountEmojiContext } from "../v1/emoji-helpers.ts";
import { readOffsetPage } from "../v1/offset-params.ts";

/**
 * GET /api/v2/suggestions: Suggestion entities. Every suggestion comes from one source, the most followed local
 * accounts ("most_followed"; the deprecated `source` calls that "global").
 */
export function mountSuggestionsV2(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.get("/api/v2/suggestions", requireScope("read"), async (c) => {
    const { limit } = readOffsetPage(c, { limit: 40, max: 80 });
    const accounts = await followSuggestions(deps, currentAccountId(c.get("auth")), limit);
    const ctx = await accountEmojiContext(deps, accounts);
    return c.json(accounts.map((a) => ({ source: "global", sources: ["most_followed"], account: renderAccount(ctx, a) })));
  });
}
