import type { Hono } from "hono";
import { dismissSuggestion, followSuggestions } from "../../../services/directory/directory.ts";
import type { HerdEnv } from "../../app.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { renderAccount } from "../serializers/account.ts";
import { idParam } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";
import { readOffsetPage } from "./offset-params.ts";

/** GET /api/v1/suggestions (accounts) and DELETE /api/v1/suggestions/:account_id; both `read`, as the docs say. */
export function mountSuggestionsV1(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.get("/api/v1/suggestions", requireScope("read"), async (c) => {
    const { limit } = readOffsetPage(c, { limit: 40, max: 80 });
    const accounts = await followSuggestions(deps, currentAccountId(c.get("auth")), limit);
    const ctx = await accountEmojiContext(deps, accounts);
    return c.json(accounts.map((a) => renderAccount(ctx, a)));
  });
  app.delete("/api/v1/suggestions/:account_id", requireScope("read"), async (c) => {
    await dismissSuggestion(deps, currentAccountId(c.get("auth")), idParam(c, "account_id"));
    return c.json({});
  });
}
