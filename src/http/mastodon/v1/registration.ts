import type { Hono } from "hono";
import { validationDetails, validationMessage } from "../../../domain/validation.ts";
import { resendConfirmation, RESEND_PROBLEM_TEXT } from "../../../services/registration/confirmation.ts";
import { signUp } from "../../../services/registration/sign-up.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import { RATE_LIMITS, rateLimit } from "../../middleware/rate-limit.ts";
import { tokenEntity } from "../../oauth/entities.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, readParams, str } from "../params.ts";

/**
 * POST /api/v1/accounts (sign-up by an app, which gets a token for the new user) and
 * POST /api/v1/emails/confirmations (that app asks for the confirmation e-mail again).
 */
export function mountRegistration(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;

  app.post(
    "/api/v1/accounts",
    rateLimit(deps, [RATE_LIMITS.apiSignUpByIp]),
    requireScope("write:accounts", { user: false }),
    async (c) => {
      const auth = c.get("auth")!;
      const application = auth.applicationId === null ? null : await deps.db.repos.oauth.findApplicationById(auth.applicationId);
      if (!application) throw new HttpError(403, "This action is not allowed");
      const params = await readParams(c);
      const result = await signUp(deps, deps.instance, {
        username: str(params, "username"),
        email: str(params, "email"),
        password: str(params, "password"),
        agreement: bool(params, "agreement"),
        locale: str(params, "locale"),
        reason: str(params, "reason"),
        ip: c.get("clientIp"),
        application: { id: application.id, scopes: application.scopes },
      });
      if (!result.ok) {
        // Mastodon's answer when sign-ups are closed (Api::BaseController#forbidden).
        if (result.error.kind === "closed") throw new HttpError(403, "This action is not allowed");
        return c.json({ error: validationMessage(result.error.errors), details: validationDetails(result.error.errors) }, 422);
      }
      return c.json(tokenEntity(result.value.token!));
    },
  );

  app.post("/api/v1/emails/confirmations", rateLimit(deps, [RATE_LIMITS.confirmationByIp]), requireScope("write:accounts"), async (c) => {
    const auth = c.get("auth")!;
    currentAccountId(auth);
    const params = await readParams(c);
    const result = await resendConfirmation(deps, { userId: auth.userId!, applicationId: auth.applicationId, email: str(params, "email") });
    if (!result.ok) {
      if (result.error.kind === "invalid")
        return c.json({ error: validationMessage(result.error.errors), details: validationDetails(result.error.errors) }, 422);
      throw new HttpError(403, RESEND_PROBLEM_TEXT[result.error.kind]);
    }
    return c.json({});
  });
}
