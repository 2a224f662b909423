import type { Context, Hono } from "hono";
import type { HerdEnv } from "../app.ts";
import { HttpError } from "../errors.ts";
import type { ApiDeps, ApiEnv } from "../mastodon/context.ts";
import { authenticate, currentAccountId, requireScope } from "../middleware/auth.ts";
import { localActorUri, localAvatarUrl, localProfileUrl } from "../local-urls.ts";

/** The issuer as the authorization server metadata names it (Mastodon: the base URL with a trailing slash). */
export function issuerOf(deps: ApiDeps): string {
  return `${deps.instance.baseUrl}/`;
}

/** GET and POST /oauth/userinfo: OpenID Connect claims about the token's user (`profile` scope). */
export function mountUserinfo(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.use("/oauth/userinfo", authenticate(deps) as never);
  const handler = async (c: Context<ApiEnv>) => {
    const accountId = currentAccountId(c.get("auth"));
    const profile = await deps.db.repos.users.profileOf(accountId);
    if (!profile) throw new HttpError(401, "The access token is invalid");
    c.header("Cache-Control", "no-store");
    return c.json({
      iss: issuerOf(deps),
      sub: localActorUri(deps.instance, profile.username),
      name: profile.displayName,
      preferred_username: profile.username,
      profile: localProfileUrl(deps.instance, profile.username),
      picture: localAvatarUrl(deps.instance, deps.media, profile.avatarKey),
    });
  };
  app.get("/oauth/userinfo", requireScope("profile"), handler);
  app.post("/oauth/userinfo", requireScope("profile"), handler);
}
