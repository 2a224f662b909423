import type { Hono } from "hono";
import { confirmEmail, resendConfirmationByEmail } from "../../services/registration/confirmation.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { readParams, str } from "../mastodon/params.ts";
import { enforceRateLimit, RATE_LIMITS, rateLimit } from "../middleware/rate-limit.ts";
import { csrfField, csrfRefused, messagePage } from "./forms.ts";
import { html } from "./html.ts";
import { sendPage } from "./layout.ts";
import { browserCsrfToken, validBrowserCsrf } from "./web-session.ts";

/** The confirmation link's page, and the form that sends the link again. */
export function mountConfirmation(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get("/auth/confirmation", async (c) => {
    const result = await confirmEmail(deps, c.req.query("confirmation_token"));
    if (!result.ok) {
      const again = html`<a href="/auth/confirmation/new">Send a new link</a>`;
      return result.error.kind === "expired"
        ? messagePage(c, "Link expired", html`This confirmation link has expired. ${again}.`, 410)
        : messagePage(c, "Invalid link", html`This confirmation link is invalid or was already used. ${again}.`, 404);
    }
    const user = result.value;
    const next = user.approved
      ? html`You can now <a href="/auth/sign_in">sign in</a> and post.`
      : html`A moderator will review your account before you can sign in.`;
    return messagePage(c, "E-mail address confirmed", html`Your address ${user.email} is confirmed. ${next}`);
  });

  app.get("/auth/confirmation/new", (c) =>
    sendPage(c, {
      title: "Send the confirmation link again",
      body: html`<h1>Send the confirmation link again</h1>
<form method="post" action="/auth/confirmation">
${csrfField(browserCsrfToken(c, deps))}
<label for="email">E-mail address</label>
<input type="email" id="email" name="email" autocomplete="email" required>
<button type="submit">Send</button>
</form>
<nav><a href="/auth/sign_in">Sign in</a></nav>`,
    }),
  );

  app.post("/auth/confirmation", rateLimit(deps, [RATE_LIMITS.confirmationByIp]), async (c) => {
    const params = await readParams(c);
    if (!validBrowserCsrf(c, deps, str(params, "authenticity_token"))) return csrfRefused(c);
    const email = (str(params, "email") ?? "").trim();
    const limited = await enforceRateLimit(c, deps, RATE_LIMITS.confirmationByEmail, email);
    if (limited) return limited;
    await resendConfirmationByEmail(deps.db, email);
    return messagePage(
      c,
      "Check your e-mail",
      "If this address belongs to an account waiting for confirmation, a new confirmation link is on its way.",
    );
  });
}
