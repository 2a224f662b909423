import type { Context, Hono } from "hono";
import { registrationsOpen } from "../../services/registration/sign-up.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { html } from "./html.ts";
import { sendPage } from "./layout.ts";
import { localAvatarUrl } from "../local-urls.ts";
import { signOutForm } from "./sign-in.ts";
import { signedInUser } from "./web-session.ts";

async function ownerProfilePage(c: Context, deps: ApiDeps): Promise<Response | null> {
  const owner = await deps.db.repos.users.ownerProfile();
  if (!owner) return null;
  const handle = `@${owner.username}@${deps.instance.localDomain}`;
  return sendPage(c, {
    title: owner.displayName || handle,
    body: html`<section class="profile">
<img src="${localAvatarUrl(deps.instance, deps.media, owner.avatarKey)}" alt="" width="96" height="96">
<h1>${owner.displayName || owner.username}</h1>
<p class="muted">${handle}</p>
<p class="note">${owner.note}</p>
</section>`,
  });
}

/** `/`: the owner's profile in single-user mode, else a landing page with the ways in. */
export function mountHome(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.get("/", async (c) => {
    if (deps.instance.singleUserMode) {
      const page = await ownerProfilePage(c, deps);
      if (page) return page;
    }
    const signedIn = await signedInUser(c, deps);
    const open = registrationsOpen(deps.instance);
    return sendPage(c, {
      title: deps.instance.localDomain,
      body: html`<h1>${deps.instance.localDomain}</h1>
<p>A Mastodon-compatible server. Use any Mastodon app to sign in.</p>
${
  signedIn
    ? html`<p>Signed in as @${signedIn.user.username}@${deps.instance.localDomain}.</p>
<nav><a href="/oauth/authorized_applications">Authorized apps</a></nav>
<nav>${signOutForm(signedIn)}</nav>`
    : html`<nav><a href="/auth/sign_in">Sign in</a>${open ? html` · <a href="/auth/sign_up">Sign up</a>` : null}</nav>`
}`,
    });
  });
}
