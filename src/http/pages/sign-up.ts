import type { Context, Hono } from "hono";
import type { FieldError } from "../../domain/validation.ts";
import { registrationsOpen, signUp } from "../../services/registration/sign-up.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { bool, readParams, str } from "../mastodon/params.ts";
import { RATE_LIMITS, rateLimit } from "../middleware/rate-limit.ts";
import { csrfField, csrfRefused, errorList, messagePage } from "./forms.ts";
import { html } from "./html.ts";
import { sendPage } from "./layout.ts";
import { browserCsrfToken, validBrowserCsrf } from "./web-session.ts";

interface Filled {
  readonly username?: string;
  readonly email?: string;
  readonly reason?: string;
}

function signUpPage(c: Context, deps: ApiDeps, filled: Filled = {}, errors: readonly FieldError[] = [], status = 200): Response {
  const approved = deps.instance.registrationsMode === "approved";
  return sendPage(c, {
    title: `Sign up on ${deps.instance.localDomain}`,
    status,
    body: html`<h1>Sign up on ${deps.instance.localDomain}</h1>
${approved ? html`<p class="notice">A moderator reviews each new account on this server before it can be used.</p>` : null}
${errorList(errors)}
<form method="post" action="/auth/sign_up">
${csrfField(browserCsrfToken(c, deps))}
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${filled.username ?? ""}" autocomplete="username" maxlength="30" required>
<p class="muted">Letters, numbers and underscores. You will be @username@${deps.instance.localDomain}.</p>
<label for="email">E-mail address</label>
<input type="email" id="email" name="email" value="${filled.email ?? ""}" autocomplete="email" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required>
<label for="password_confirmation">Password again</label>
<input type="password" id="password_confirmation" name="password_confirmation" autocomplete="new-password" minlength="8" required>
${approved ? html`<label for="reason">Why do you want to join?</label>
<textarea id="reason" name="reason" rows="3" required>${filled.reason ?? ""}</textarea>` : null}
<p class="check"><input type="checkbox" id="agreement" name="agreement" value="1" required> <label for="agreement">I agree to the rules and terms of this server.</label></p>
<button type="submit">Sign up</button>
</form>
<nav><a href="/auth/sign_in">Already have an account? Sign in</a></nav>`,
  });
}

function closedPage(c: Context): Response {
  return messagePage(c, "Registrations are closed", "This server does not take new accounts at the moment.", 403);
}

/** The web sign-up form: the same rules as POST /api/v1/accounts, then "check your e-mail". */
export function mountSignUp(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get("/auth/sign_up", (c) => (registrationsOpen(deps.instance) ? signUpPage(c, deps) : closedPage(c)));

  app.post("/auth/sign_up", rateLimit(deps, [RATE_LIMITS.webSignUpByIp]), async (c) => {
    const params = await readParams(c);
    if (!validBrowserCsrf(c, deps, str(params, "authenticity_token"))) return csrfRefused(c);
    const input = {
      username: str(params, "username"),
      email: str(params, "email"),
      password: str(params, "password"),
      passwordConfirmation: str(params, "password_confirmation") ?? "",
      agreement: bool(params, "agreement"),
      locale: str(params, "locale"),
      reason: str(params, "reason"),
      ip: c.get("clientIp"),
      application: null,
    };
    const result = await signUp(deps, deps.instance, input);
    if (!result.ok) {
      if (result.error.kind === "closed") return closedPage(c);
      return signUpPage(c, deps, input, result.error.errors, 422);
    }
    const pending = !result.value.user.approved;
    return messagePage(
      c,
      "Check your e-mail",
      `We sent a link to ${result.value.user.email}. Open it to confirm your address.` +
        (pending ? " A moderator will then review your account before you can sign in." : ""),
    );
  });
}
