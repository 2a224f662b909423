import type { Context, Hono } from "hono";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { readParams, str } from "../mastodon/params.ts";
import { countRequest, peekRequests, RATE_LIMITS, rateLimit, tooManyRequests } from "../middleware/rate-limit.ts";
import { checkCredentials } from "../../services/auth/sign-in.ts";
import { registrationsOpen } from "../../services/registration/sign-up.ts";
import { csrfField, csrfRefused, safeReturnPath } from "./forms.ts";
import { html } from "./html.ts";
import { sendPage } from "./layout.ts";
import { browserCsrfToken, sessionCsrfToken, signedInUser, signInBrowser, signOutBrowser, validBrowserCsrf, validSessionCsrf } from "./web-session.ts";

const SIGN_IN_PROBLEMS = {
  invalid: "Invalid e-mail address, username or password.",
  disabled: "Your login is currently disabled. Contact the staff of this server if you think this is a mistake.",
  pending: "Your account is waiting for approval by the staff of this server. You can sign in once it is approved.",
} as const;

function signInPage(c: Context, deps: ApiDeps, options: { returnTo: string; login?: string; problem?: string; status?: number }): Response {
  const token = browserCsrfToken(c, deps);
  const open = registrationsOpen(deps.instance);
  return sendPage(c, {
    title: `Sign in to ${deps.instance.localDomain}`,
    status: options.status,
    body: html`<h1>Sign in to ${deps.instance.localDomain}</h1>
${options.problem ? html`<p class="error" role="alert">${options.problem}</p>` : null}
<form method="post" action="/auth/sign_in">
${csrfField(token)}
<input type="hidden" name="return_to" value="${options.returnTo}">
<label for="login">E-mail address or username</label>
<input type="text" id="login" name="login" value="${options.login ?? ""}" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<nav><a href="/auth/password/new">Forgot your password?</a> · <a href="/auth/confirmation/new">Didn't receive a confirmation link?</a>${
      open ? html` · <a href="/auth/sign_up">Sign up</a>` : null
    }</nav>`,
  });
}

/** The sign-in and sign-out forms of the web session (the OAuth authorization page sends people here). */
export function mountSignIn(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get("/auth/sign_in", (c) => signInPage(c, deps, { returnTo: safeReturnPath(c.req.query("return_to")) }));

  app.post("/auth/sign_in", rateLimit(deps, [RATE_LIMITS.signInByIp]), async (c) => {
    const params = await readParams(c);
    const returnTo = safeReturnPath(str(params, "return_to"));
    if (!validBrowserCsrf(c, deps, str(params, "authenticity_token"))) return csrfRefused(c);
    const login = (str(params, "login") ?? "").trim();
    const failures = await peekRequests(deps, RATE_LIMITS.signInFailuresByLogin, login);
    if (failures.limited) return tooManyRequests(c, failures);
    const result = await checkCredentials(deps.db, login, str(params, "password") ?? "");
    if (!result.ok) {
      if (result.error.kind === "invalid") await countRequest(deps, RATE_LIMITS.signInFailuresByLogin, login);
      return signInPage(c, deps, { returnTo, login, problem: SIGN_IN_PROBLEMS[result.error.kind], status: 422 });
    }
    await signInBrowser(c, deps, result.value.id);
    return c.redirect(returnTo, 303);
  });

  app.post("/auth/sign_out", async (c) => {
    const params = await readParams(c);
    const signedIn = await signedInUser(c, deps);
    if (signedIn && !validSessionCsrf(c, deps, signedIn, str(params, "authenticity_token"))) return csrfRefused(c);
    await signOutBrowser(c, deps);
    return c.redirect("/", 303);
  });
}

/** A sign-out button for pages shown to a signed-in user. */
export function signOutForm(signedIn: Parameters<typeof sessionCsrfToken>[0]) {
  return html`<form method="post" action="/auth/sign_out">${csrfField(sessionCsrfToken(signedIn))}<button type="submit" class="secondary">Sign out</button></form>`;
}
