import type { Context, Hono } from "hono";
import type { FieldError } from "../../domain/validation.ts";
import { requestPasswordReset, resetPassword, userForResetToken } from "../../services/registration/password-reset.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { readParams, str } from "../mastodon/params.ts";
import { enforceRateLimit, RATE_LIMITS, rateLimit } from "../middleware/rate-limit.ts";
import { csrfField, csrfRefused, errorList, messagePage } from "./forms.ts";
import { html } from "./html.ts";
import { sendPage } from "./layout.ts";
import { browserCsrfToken, signOutBrowser, validBrowserCsrf } from "./web-session.ts";

function invalidLink(c: Context): Response {
  return messagePage(
    c,
    "Invalid link",
    html`This password reset link is invalid, expired or already used. <a href="/auth/password/new">Ask for a new one</a>.`,
    404,
  );
}

function newPasswordPage(c: Context, deps: ApiDeps, token: string, errors: readonly FieldError[] = [], status = 200): Response {
  return sendPage(c, {
    title: "Choose a new password",
    status,
    body: html`<h1>Choose a new password</h1>
${errorList(errors)}
<form method="post" action="/auth/password/edit">
${csrfField(browserCsrfToken(c, deps))}
<input type="hidden" name="reset_password_token" value="${token}">
<label for="password">New password</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required>
<label for="password_confirmation">New password again</label>
<input type="password" id="password_confirmation" name="password_confirmation" autocomplete="new-password" minlength="8" required>
<button type="submit">Change password</button>
</form>`,
  });
}

/** "Forgot your password?": ask for a link by e-mail, then choose a new password through it. */
export function mountPasswordReset(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get("/auth/password/new", (c) =>
    sendPage(c, {
      title: "Forgot your password?",
      body: html`<h1>Forgot your password?</h1>
<p>Enter the e-mail address of your account: we will send you a link to choose a new password.</p>
<form method="post" action="/auth/password">
${csrfField(browserCsrfToken(c, deps))}
<label for="email">E-mail address</label>
<input type="email" id="email" name="email" autocomplete="email" required>
<button type="submit">Send the link</button>
</form>
<nav><a href="/auth/sign_in">Sign in</a></nav>`,
    }),
  );

  app.post("/auth/password", rateLimit(deps, [RATE_LIMITS.passwordResetByIp]), async (c) => {
    const params = await readParams(c);
    if (!validBrowserCsrf(c, deps, str(params, "authenticity_token"))) return csrfRefused(c);
    const email = (str(params, "email") ?? "").trim();
    const limited = await enforceRateLimit(c, deps, RATE_LIMITS.passwordResetByEmail, email);
    if (limited) return limited;
    await requestPasswordReset(deps.db, email);
    // The same answer whether or not the address has an account (Devise's paranoid mode).
    return messagePage(
      c,
      "Check your e-mail",
      "If your e-mail address exists in our database, you will receive a password recovery link at your e-mail address in a few minutes.",
    );
  });

  app.get("/auth/password/edit", async (c) => {
    const token = c.req.query("reset_password_token");
    if (!(await userForResetToken(deps, token))) return invalidLink(c);
    return newPasswordPage(c, deps, token!);
  });

  app.post("/auth/password/edit", rateLimit(deps, [RATE_LIMITS.passwordResetByIp]), async (c) => {
    const params = await readParams(c);
    if (!validBrowserCsrf(c, deps, str(params, "authenticity_token"))) return csrfRefused(c);
    const token = str(params, "reset_password_token");
    const result = await resetPassword(deps, {
      token,
      password: str(params, "password"),
      passwordConfirmation: str(params, "password_confirmation") ?? "",
    });
    if (!result.ok) {
      if (result.error.kind === "invalid_token") return invalidLink(c);
      return newPasswordPage(c, deps, token!, result.error.errors, 422);
    }
    await signOutBrowser(c, deps);
    return messagePage(
      c,
      "Password changed",
      html`Your password has been changed, and every app and browser signed in to your account has been signed out. <a href="/auth/sign_in">Sign in</a> with the new password.`,
    );
  });
}
