import { err, ok, type Result } from "../../domain/result.ts";
import { parseScopes } from "../../domain/scopes.ts";
import type { OAuthApplication } from "../../ports/repositories/oauth.ts";
import { forgetTokens } from "../auth/access-tokens.ts";
import { hashSecret } from "../auth/tokens.ts";
import { scopesWithin, verifyCodeVerifier } from "./authorization.ts";
import { issueToken, type IssuedToken, type OAuthDeps } from "./issue.ts";

/** RFC 6749 §5.2 error codes the token endpoint answers with. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope";

export interface OAuthProblem {
  readonly error: OAuthErrorCode;
}

/** Doorkeeper's descriptions (what Mastodon sends as error_description). */
export const OAUTH_ERROR_TEXT: Record<OAuthErrorCode, string> = {
  invalid_request: "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.",
  invalid_client: "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
  invalid_grant: "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  unauthorized_client: "The client is not authorized to perform this request using this method.",
  unsupported_grant_type: "The authorization grant type is not supported by the authorization server.",
  invalid_scope: "The requested scope is invalid, unknown, or malformed.",
};

/** Client credentials as sent (body or HTTP Basic); the secret may be absent for a PKCE public client. */
export interface ClientCredentials {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}

const problem = (error: OAuthErrorCode) => err({ error });

/** The application these credentials authenticate, or invalid_client. A secret is required. */
export async function authenticateClient(deps: OAuthDeps, client: ClientCredentials): Promise<Result<OAuthApplication, OAuthProblem>> {
  if (!client.clientId || !client.clientSecret) return problem("invalid_client");
  const app = await deps.db.repos.oauth.findApplicationByCredentials(client.clientId, hashSecret(client.clientSecret));
  return app ? ok(app) : problem("invalid_client");
}

/**
 * grant_type=authorization_code. A confidential client authenticates with its secret; a client without one must
 * have bound the code to a PKCE challenge. Codes are single use: presenting a spent code revokes the tokens it
 * yielded (RFC 6749 §4.1.2), since the code has leaked.
 */
export async function exchangeAuthorizationCode(
  deps: OAuthDeps,
  input: { client: ClientCredentials; code: string | undefined; redirectUri: string | undefined; codeVerifier: string | undefined },
): Promise<Result<IssuedToken, OAuthProblem>> {
  if (!input.client.clientId) return problem("invalid_client");
  let app: OAuthApplication | null;
  if (input.client.clientSecret !== undefined) {
    const authenticated = await authenticateClient(deps, input.client);
    if (!authenticated.ok) return authenticated;
    app = authenticated.value;
  } else {
    app = await deps.db.repos.oauth.findApplicationByClientId(input.client.clientId);
    if (!app) return problem("invalid_client");
  }
  if (!input.code || !input.redirectUri) return problem("invalid_request");
  const grant = await deps.db.repos.oauth.findGrantByCodeHash(hashSecret(input.code));
  if (!grant || grant.applicationId !== app.id) return problem("invalid_grant");
  const now = deps.clock.now();
  if (grant.usedAt !== null) {
    // A replayed code may be stolen: revoke everything issued from it, refreshed tokens included (RFC 6749 §4.1.2).
    const revoked = await deps.db.repos.oauth.revokeTokensOfGrant(grant.id, now);
    await forgetTokens(deps.cache, revoked);
    return problem("invalid_grant");
  }
  if (grant.expiresAt <= now || grant.redirectUri !== input.redirectUri) return problem("invalid_grant");
  if (grant.codeChallenge !== null && grant.codeChallengeMethod !== null) {
    if (!input.codeVerifier || !verifyCodeVerifier(input.codeVerifier, grant.codeChallenge, grant.codeChallengeMethod))
      return problem("invalid_grant");
  } else {
    // A verifier for a code issued without a challenge is a downgrade attempt (RFC 9700 §2.1.1).
    if (input.codeVerifier) return problem("invalid_grant");
    if (input.client.clientSecret === undefined) return problem("invalid_client");
  }
  const user = await deps.db.repos.users.findById(grant.userId);
  if (!user || user.disabled) return problem("invalid_grant");
  const issued = await deps.db.transaction(async (tx) => {
    if (!(await tx.oauth.spendGrant(grant.id, now))) return null;
    return issueToken(tx, { applicationId: app.id, userId: grant.userId, scopes: grant.scopes, withRefresh: true, now, grantId: grant.id });
  });
  return issued ? ok(issued) : problem("invalid_grant");
}

/** grant_type=client_credentials: an app-only token, scopes within the app's (default `read`). No refresh token. */
export async function clientCredentialsGrant(
  deps: OAuthDeps,
  input: { client: ClientCredentials; scope: string | undefined },
): Promise<Result<IssuedToken, OAuthProblem>> {
  const authenticated = await authenticateClient(deps, input.client);
  if (!authenticated.ok) return authenticated;
  const app = authenticated.value;
  const scopes = parseScopes((input.scope ?? "").trim() || "read");
  if (!scopes || scopes.length === 0 || !scopesWithin(scopes, app.scopes)) return problem("invalid_scope");
  const now = deps.clock.now();
  return ok(await deps.db.transaction((tx) => issueToken(tx, { applicationId: app.id, userId: null, scopes, withRefresh: false, now })));
}

/**
 * grant_type=refresh_token: rotates. The old access token is revoked at once and a new access and refresh token
 * issued; a refresh token works once. `scope` may narrow, never widen, the original scopes.
 */
export async function refreshTokenGrant(
  deps: OAuthDeps,
  input: { client: ClientCredentials; refreshToken: string | undefined; scope: string | undefined },
): Promise<Result<IssuedToken, OAuthProblem>> {
  const authenticated = await authenticateClient(deps, input.client);
  if (!authenticated.ok) return authenticated;
  const app = authenticated.value;
  if (!input.refreshToken) return problem("invalid_request");
  const old = await deps.db.repos.oauth.findTokenByRefreshHash(hashSecret(input.refreshToken));
  if (!old || old.applicationId !== app.id || old.revokedAt !== null) return problem("invalid_grant");
  if (old.userId !== null) {
    const user = await deps.db.repos.users.findById(old.userId);
    if (!user || user.disabled) return problem("invalid_grant");
  }
  let scopes = old.scopes;
  if (input.scope && input.scope.trim() !== "") {
    const asked = parseScopes(input.scope.trim());
    if (!asked || asked.length === 0 || !scopesWithin(asked, old.scopes)) return problem("invalid_scope");
    scopes = asked;
  }
  const now = deps.clock.now();
  const issued = await deps.db.transaction(async (tx) => {
    if (!(await tx.oauth.revokeToken(old.id, now))) return null;
    return issueToken(tx, { applicationId: app.id, userId: old.userId, scopes, withRefresh: true, now, grantId: old.grantId });
  });
  if (!issued) return problem("invalid_grant");
  await forgetTokens(deps.cache, [old.tokenHash]);
  return ok(issued);
}
