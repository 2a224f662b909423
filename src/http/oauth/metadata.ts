import type { Hono } from "hono";
import { ALL_SCOPES } from "../../domain/scopes.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { issuerOf } from "./userinfo.ts";

/** GET /.well-known/oauth-authorization-server: RFC 8414 metadata, with Mastodon's extra app_registration_endpoint. */
export function mountOAuthMetadata(app: Hono<HerdEnv>, deps: ApiDeps): void {
  const base = deps.instance.baseUrl;
  const document = {
    issuer: issuerOf(deps),
    service_documentation: "https://docs.joinmastodon.org/",
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    app_registration_endpoint: `${base}/api/v1/apps`,
    revocation_endpoint: `${base}/oauth/revoke`,
    userinfo_endpoint: `${base}/oauth/userinfo`,
    scopes_supported: [...ALL_SCOPES],
    response_types_supported: ["code"],
    // Codes come back in the redirect's query only: no fragment or form_post response modes.
    response_modes_supported: ["query"],
    // As Mastodon: S256 is what clients should use (plain is still accepted for older clients).
    code_challenge_methods_supported: ["S256"],
    grant_types_supported: ["authorization_code", "client_credentials", "refresh_token"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
  };
  app.get("/.well-known/oauth-authorization-server", (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    return c.json(document);
  });
}
