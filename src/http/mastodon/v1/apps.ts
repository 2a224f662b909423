import type { Hono } from "hono";
import { validationMessage } from "../../../domain/validation.ts";
import { registerApplication } from "../../../services/oauth/applications.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireAnyToken } from "../../middleware/auth.ts";
import { RATE_LIMITS, rateLimit } from "../../middleware/rate-limit.ts";
import { applicationEntity, credentialApplicationEntity } from "../../oauth/entities.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { list, readParams, str } from "../params.ts";

/** POST /api/v1/apps (public) and GET /api/v1/apps/verify_credentials (any app or user token). */
export function mountApps(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;

  app.post("/api/v1/apps", rateLimit(deps, [RATE_LIMITS.appRegistrationByIp]), async (c) => {
    const params = await readParams(c);
    const result = await registerApplication(deps, {
      name: str(params, "client_name"),
      redirectUris: list(params, "redirect_uris"),
      scopes: str(params, "scopes"),
      website: str(params, "website"),
    });
    // Mastodon answers app validation failures without `details` (only account sign-ups have them).
    if (!result.ok) throw new HttpError(422, validationMessage(result.error));
    return c.json(credentialApplicationEntity(result.value.application, result.value.clientSecret));
  });

  app.get("/api/v1/apps/verify_credentials", requireAnyToken(), async (c) => {
    const auth = c.get("auth")!;
    const application = auth.applicationId === null ? null : await deps.db.repos.oauth.findApplicationById(auth.applicationId);
    if (!application) throw new HttpError(401, "The access token is invalid");
    return c.json(applicationEntity(application));
  });
}
