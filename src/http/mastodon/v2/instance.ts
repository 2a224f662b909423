import type { Hono } from "hono";
import type { HerdEnv } from "../../app.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { renderInstance } from "../serializers/instance.ts";
import { instanceRenderInput, publicCache } from "../v1/instance-helpers.ts";

/** GET /api/v2/instance: public, as in Mastodon (no token needed; any token's scopes will do). */
export function mountInstanceV2(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.get("/api/v2/instance", async (c) => {
    publicCache(c);
    return c.json(renderInstance(await instanceRenderInput(deps)));
  });
}
