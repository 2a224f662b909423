import type { Hono } from "hono";
import { profileDirectory } from "../../../services/directory/directory.ts";
import type { HerdEnv } from "../../app.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, readParams, str } from "../params.ts";
import { renderAccount } from "../serializers/account.ts";
import { scopeIfToken, viewerOf } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";
import { readOffsetPage } from "./offset-params.ts";

/** GET /api/v1/directory: the profile directory. Public; a token, if given, must allow reading accounts. */
export function mountDirectory(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.get("/api/v1/directory", scopeIfToken("read:accounts"), async (c) => {
    const params = await readParams(c);
    const page = readOffsetPage(c, { limit: 40, max: 80 });
    const accounts = await profileDirectory(deps, viewerOf(c), {
      ...page,
      order: str(params, "order") === "new" ? "new" : "active",
      localOnly: bool(params, "local") ?? false,
    });
    const ctx = await accountEmojiContext(deps, accounts);
    return c.json(accounts.map((a) => renderAccount(ctx, a)));
  });
}
