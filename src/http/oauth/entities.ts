import type { OAuthApplication } from "../../ports/repositories/oauth.ts";
import type { IssuedToken } from "../../services/oauth/issue.ts";

/**
 * The Application entity. `vapid_key` is required by the schema (deprecated since 4.3); Herd has no Web Push
 * key yet, so it is empty rather than a key nothing could verify.
 */
export function applicationEntity(app: OAuthApplication, vapidKey = "") {
  return {
    id: String(app.id),
    name: app.name,
    website: app.website,
    scopes: [...app.scopes],
    redirect_uri: app.redirectUris.join("\n"),
    redirect_uris: [...app.redirectUris],
    vapid_key: vapidKey,
  };
}

/** The CredentialApplication entity: the Application plus its client credentials, returned once at registration. */
export function credentialApplicationEntity(app: OAuthApplication, clientSecret: string) {
  return {
    ...applicationEntity(app),
    client_id: app.clientId,
    client_secret: clientSecret,
    client_secret_expires_at: 0,
  };
}

/** The Token entity (created_at in seconds, as Doorkeeper sends it); `refresh_token` only when one was issued. */
export function tokenEntity(token: IssuedToken) {
  return {
    access_token: token.accessToken,
    token_type: "Bearer",
    scope: token.scopes.join(" "),
    created_at: Math.floor(token.createdAt / 1000),
    ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
  };
}
