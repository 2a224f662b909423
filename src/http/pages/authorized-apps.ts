import type { Hono } from "hono";
import { revokeAuthorizedApplication } from "../../services/oauth/revocation.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { readParams, str } from "../mastodon/params.ts";
import { csrfField, csrfRefused } from "./forms.ts";
import { html } from "./html.ts";
import { sendPage } from "./layout.ts";
import { signOutForm } from "./sign-in.ts";
import { sessionCsrfToken, signedInUser, validSessionCsrf } from "./web-session.ts";

const PATH = "/oauth/authorized_applications";
const MAX_ID = 2n ** 63n - 1n;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Settings › Authorized apps: the apps holding tokens for the signed-in user, each with a Revoke button. */
export function mountAuthorizedApps(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get(PATH, async (c) => {
    const signedIn = await signedInUser(c, deps);
    if (!signedIn) return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(PATH)}`, 302);
    const apps = await deps.db.repos.oauth.listAuthorizedApplications(signedIn.user.id);
    const token = sessionCsrfToken(signedIn);
    return sendPage(c, {
      title: "Authorized apps",
      body: html`<h1>Authorized apps</h1>
<p>Signed in as @${signedIn.user.username}@${deps.instance.localDomain}. These apps can use your account.</p>
${apps.length === 0 ? html`<p class="muted">No app has access to your account.</p>` : null}
${apps.map(
  (a) => html`<section class="app">
<h2>${a.application.name}</h2>
${a.application.website ? html`<p><a href="${a.application.website}" rel="noopener noreferrer">${a.application.website}</a></p>` : null}
<p>Scopes: ${a.scopes.join(" ")}</p>
<p class="muted">Authorized on ${day(a.authorizedAt)}${a.lastUsedAt ? html`, last used on ${day(a.lastUsedAt)}` : null}</p>
<form method="post" action="${PATH}/${String(a.application.id)}/revoke">
${csrfField(token)}
<button type="submit" class="secondary">Revoke</button>
</form>
</section>`,
)}
<nav>${signOutForm(signedIn)}</nav>`,
    });
  });

  app.post(`${PATH}/:id/revoke`, async (c) => {
    const params = await readParams(c);
    const signedIn = await signedInUser(c, deps);
    if (!signedIn || !validSessionCsrf(c, deps, signedIn, str(params, "authenticity_token"))) return csrfRefused(c);
    const id = c.req.param("id");
    if (/^\d{1,19}$/.test(id) && BigInt(id) <= MAX_ID) await revokeAuthorizedApplication(deps, signedIn.user.id, BigInt(id));
    return c.redirect(PATH, 303);
  });
}
