import type { Context, Hono } from "hono";
import { err, type Result } from "../../domain/result.ts";
import {
  clientCredentialsGrant,
  exchangeAuthorizationCode,
  OAUTH_ERROR_TEXT,
  refreshTokenGrant,
  type ClientCredentials,
  type OAuthErrorCode,
  type OAuthProblem,
} from "../../services/oauth/grants.ts";
import type { IssuedToken } from "../../services/oauth/issue.ts";
import { revokeTokenForClient } from "../../services/oauth/revocation.ts";
import type { HerdEnv } from "../app.ts";
import type { ApiDeps } from "../mastodon/context.ts";
import { readParams, str, type Params } from "../mastodon/params.ts";
import { RATE_LIMITS, rateLimit } from "../middleware/rate-limit.ts";
import { tokenEntity } from "./entities.ts";

/**
 * Client credentials from HTTP Basic (client_secret_basic: form-urlencoded id and secret, RFC 6749 §2.3.1) or
 * from the body (client_secret_post). Basic wins when both are sent.
 */
export function clientCredentialsOf(c: Context, params: Params): ClientCredentials & { basic: boolean } {
  const header = c.req.header("authorization");
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      const unescape = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, " "));
        } catch {
          return s;
        }
      };
      return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)), basic: true };
    }
  }
  return { clientId: str(params, "client_id"), clientSecret: str(params, "client_secret") || undefined, basic: false };
}

function noStore(c: Context): void {
  // RFC 6749 §5.1: responses carrying tokens must not be cached.
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
}

function oauthError(c: Context, error: OAuthErrorCode, basic: boolean): Response {
  noStore(c);
  if (error === "invalid_client") {
    c.header(
      "WWW-Authenticate",
      `${basic ? "Basic" : "Bearer"} realm="Doorkeeper", error="invalid_client", error_description="${OAUTH_ERROR_TEXT.invalid_client}"`,
    );
  }
  return c.json({ error, error_description: OAUTH_ERROR_TEXT[error] }, error === "invalid_client" ? 401 : 400);
}

/** POST /oauth/token (authorization_code, client_credentials, refresh_token) and POST /oauth/revoke. */
export function mountToken(app: Hono<HerdEnv>, deps: ApiDeps): void {
  app.post("/oauth/token", rateLimit(deps, [RATE_LIMITS.oauthTokenByIp]), async (c) => {
    const params = await readParams(c);
    const client = clientCredentialsOf(c, params);
    const grantType = str(params, "grant_type");
    let result: Result<IssuedToken, OAuthProblem>;
    switch (grantType) {
      case "authorization_code":
        result = await exchangeAuthorizationCode(deps, {
          client,
          code: str(params, "code"),
          redirectUri: str(params, "redirect_uri"),
          codeVerifier: str(params, "code_verifier"),
        });
        break;
      case "client_credentials":
        result = await clientCredentialsGrant(deps, { client, scope: str(params, "scope") });
        break;
      case "refresh_token":
        result = await refreshTokenGrant(deps, { client, refreshToken: str(params, "refresh_token"), scope: str(params, "scope") });
        break;
      case undefined:
      case "":
        result = err({ error: "invalid_request" });
        break;
      default:
        // Includes `password`: Mastodon removed the resource owner password grant.
        result = err({ error: "unsupported_grant_type" });
    }
    if (!result.ok) return oauthError(c, result.error.error, client.basic);
    noStore(c);
    return c.json(tokenEntity(result.value));
  });

  app.post("/oauth/revoke", async (c) => {
    const params = await readParams(c);
    const client = clientCredentialsOf(c, params);
    const result = await revokeTokenForClient(deps, client, str(params, "token"));
    if (!result.ok) return c.json({ error: "unauthorized_client", error_description: "You are not authorized to revoke this token" }, 403);
    return c.json({});
  });
}
