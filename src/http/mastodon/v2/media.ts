import type { Hono } from "hono";
import type { HerdEnv } from "../../app.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { createMediaResponse, uploadBodyLimit } from "../v1/media.ts";

/** POST /api/v2/media: images answered 200 when processed; audio, video and gifv 202 with `url: null`, processed on a job. */
export function mountMediaV2(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.post("/api/v2/media", requireScope("write:media"), requireActiveUser(deps), uploadBodyLimit(deps), (c) => createMediaResponse(c, deps, true));
}
