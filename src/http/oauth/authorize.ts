import type { Context, Hono } from "hono";
import {
  AUTHORIZATION_PROBLEM_TEXT,
  grantAuthorization,
  preAuthorize,
  redirectWithParams,
  type AuthorizationProblem,
  type AuthorizationRequest,
  type PreAuthorization,
} from "../../services/oauth/authorization.ts";
import { OOB_REDIRECT_URI } from "../../services/oauth/applications.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { bool, readParams, str, type Params } from "../mastodon/params.ts";
import { csrfField, csrfRefused } from "../pages/forms.ts";
import { html } from "../pages/html.ts";
import { sendPage } from "../pages/layout.ts";
import { signOutForm } from "../pages/sign-in.ts";
import { sessionCsrfToken, signedInUser, validSessionCsrf, type SignedIn } from "../pages/web-session.ts";
import { describeScope } from "./scope-descriptions.ts";

const ACCESS_DENIED = "The resource owner or authorization server denied the request.";

function requestFrom(params: Params): AuthorizationRequest {
  return {
    responseType: str(params, "response_type"),
    clientId: str(params, "client_id"),
    redirectUri: str(params, "redirect_uri"),
    scope: str(params, "scope"),
    state: str(params, "state"),
    codeChallenge: str(params, "code_challenge"),
    codeChallengeMethod: str(params, "code_challenge_method"),
  };
}

/** Doorkeeper's error page: the client or redirect URI cannot be trusted with a redirect, so the user is told. */
function problemPage(c: Context, problem: AuthorizationProblem): Response {
  const detail = problem.kind === "invalid_request" ? ` (missing ${problem.missing})` : "";
  return sendPage(c, {
    title: "Authorization error",
    status: 400,
    body: html`<h1>An error has occurred</h1>
<p class="error">${AUTHORIZATION_PROBLEM_TEXT[problem.kind]}${detail}</p>
<p class="muted">Error code: ${problem.kind}</p>`,
  });
}

/** form-action sources for the consent page: the redirect the POST leads to must be allowed too. */
function redirectTarget(redirectUri: string): string[] {
  if (redirectUri === OOB_REDIRECT_URI) return [];
  const url = new URL(redirectUri);
  if (url.protocol === "http:" || url.protocol === "https:") return [url.origin];
  // Custom schemes of native apps (`myapp://callback`) are allowed by scheme; the characters are CSP-safe.
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? [url.protocol] : [];
}

function consentPage(c: Context, deps: ApiDeps, pre: PreAuthorization, signedIn: SignedIn): Response {
  const app = pre.application;
  const hidden: [string, string | null][] = [
    ["client_id", app.clientId],
    ["redirect_uri", pre.redirectUri],
    ["response_type", "code"],
    ["scope", pre.scopes.join(" ")],
    ["state", pre.state],
    ["code_challenge", pre.codeChallenge],
    ["code_challenge_method", pre.codeChallengeMethod],
  ];
  const user = signedIn.user;
  return sendPage(c, {
    title: `Authorize ${app.name}`,
    formTargets: redirectTarget(pre.redirectUri),
    body: html`<h1>Authorization required</h1>
<p><strong>${app.name}</strong>${app.website ? html` (<a href="${app.website}" rel="noopener noreferrer">${app.website}</a>)` : null}
would like permission to access your account <strong>@${user.username}@${deps.instance.localDomain}</strong>. It is a third-party application.
If you do not trust it, you should not authorize it.</p>
${user.confirmedAt === null ? html`<p class="notice">Your e-mail address is not confirmed yet: you can authorize apps, but cannot post until you open the link we e-mailed you.</p>` : null}
<p>Review permissions:</p>
<ul class="scopes">${pre.scopes.map((s) => html`<li><strong>${s}</strong>: ${describeScope(s)}</li>`)}</ul>
<form method="post" action="/oauth/authorize">
${csrfField(sessionCsrfToken(signedIn))}
${hidden.filter(([, v]) => v !== null).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>
<nav>Not @${user.username}? ${signOutForm(signedIn)}</nav>`,
  });
}

function oobPage(c: Context, code: string): Response {
  return sendPage(c, {
    title: "Authorization code",
    body: html`<h1>Authorization code</h1>
<p>Copy this authorization code and paste it into the application.</p>
<code class="code" id="authorization-code">${code}</code>`,
  });
}

/** Where to send someone who must sign in first: back to this very request, without force_login (no loop). */
function signInRedirect(c: Context): Response {
  const url = new URL(c.req.url);
  url.searchParams.delete("force_login");
  const back = `${url.pathname}${url.search}`;
  return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(back)}`, 302);
}

/** GET /oauth/authorize (sign in if needed, then the consent page) and POST /oauth/authorize (the decision). */
export function mountAuthorize(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get("/oauth/authorize", async (c) => {
    const params = await readParams(c);
    const pre = await preAuthorize(deps.db, requestFrom(params));
    if (!pre.ok) return problemPage(c, pre.error);
    const signedIn = await signedInUser(c, deps);
    if (!signedIn || bool(params, "force_login")) return signInRedirect(c);
    return consentPage(c, deps, pre.value, signedIn);
  });

  app.post("/oauth/authorize", async (c) => {
    const params = await readParams(c);
    const signedIn = await signedInUser(c, deps);
    if (!signedIn || !validSessionCsrf(c, deps, signedIn, str(params, "authenticity_token"))) return csrfRefused(c);
    const pre = await preAuthorize(deps.db, requestFrom(params));
    if (!pre.ok) return problemPage(c, pre.error);
    const { redirectUri, state } = pre.value;
    if (str(params, "decision") !== "approve") {
      if (redirectUri === OOB_REDIRECT_URI)
        return sendPage(c, { title: "Authorization denied", body: html`<h1>Authorization denied</h1><p>The application was not given access.</p>` });
      return c.redirect(redirectWithParams(redirectUri, { error: "access_denied", error_description: ACCESS_DENIED, state }), 302);
    }
    const code = await grantAuthorization(deps, pre.value, signedIn.user.id);
    if (redirectUri === OOB_REDIRECT_URI) return oobPage(c, code);
    return c.redirect(redirectWithParams(redirectUri, { code, state }), 302);
  });
}
