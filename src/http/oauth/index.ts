import type { RouteModule } from "../client-api.ts";
import { mountApps } from "../mastodon/v1/apps.ts";
import { mountRegistration } from "../mastodon/v1/registration.ts";
import { mountAuthorize } from "./authorize.ts";
import { mountOAuthMetadata } from "./metadata.ts";
import { mountToken } from "./token.ts";
import { mountUserinfo } from "./userinfo.ts";

/** OAuth 2 (authorize, token, revoke, userinfo, metadata), app registration and API sign-up. */
export const mountOAuth: RouteModule = (app, deps) => {
  mountOAuthMetadata(app, deps);
  mountApps(app, deps);
  mountRegistration(app, deps);
  mountAuthorize(app, deps);
  mountToken(app, deps);
  mountUserinfo(app, deps);
};
