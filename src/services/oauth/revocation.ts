import { err, ok, type Result } from "../../domain/result.ts";
import { forgetTokens } from "../auth/access-tokens.ts";
import { hashSecret } from "../auth/tokens.ts";
import type { ClientCredentials } from "./grants.ts";
import type { OAuthDeps } from "./issue.ts";

export type RevokeProblem = { kind: "unauthorized_client" };

/**
 * POST /oauth/revoke (RFC 7009), as Doorkeeper does it: an unknown or already revoked token is a success; a
 * token issued to an application can only be revoked by that application, authenticated with its secret.
 * Accepts an access token or the refresh token issued with one.
 */
export async function revokeTokenForClient(
  deps: OAuthDeps,
  client: ClientCredentials,
  token: string | undefined,
): Promise<Result<void, RevokeProblem>> {
  if (!token) return err({ kind: "unauthorized_client" });
  const hash = hashSecret(token);
  const repo = deps.db.repos.oauth;
  const byAccess = await repo.findTokenByHash(hash);
  const byRefresh = byAccess ? null : await repo.findTokenByRefreshHash(hash);
  const found = byAccess ? { ...byAccess, tokenHash: hash } : byRefresh;
  if (!found) return ok(undefined);
  if (found.applicationId !== null) {
    if (!client.clientId || !client.clientSecret) return err({ kind: "unauthorized_client" });
    const app = await repo.findApplicationByCredentials(client.clientId, hashSecret(client.clientSecret));
    if (!app || app.id !== found.applicationId) return err({ kind: "unauthorized_client" });
  }
  await repo.revokeToken(found.id, deps.clock.now());
  await forgetTokens(deps.cache, [found.tokenHash]);
  return ok(undefined);
}

/** Revokes every token a user gave one application, and its unused codes (the "Authorized apps" page). */
export async function revokeAuthorizedApplication(deps: OAuthDeps, userId: bigint, applicationId: bigint): Promise<void> {
  const now = deps.clock.now();
  const hashes = await deps.db.transaction(async (tx) => {
    await tx.oauth.spendUserGrants(userId, applicationId, now);
    return tx.oauth.revokeUserTokens(userId, applicationId, now);
  });
  await forgetTokens(deps.cache, hashes);
}

/** Revokes every token and unused code of a user and ends their web sessions (password reset, lost device). */
export async function revokeEverything(deps: OAuthDeps, userId: bigint): Promise<void> {
  const now = deps.clock.now();
  const hashes = await deps.db.transaction(async (tx) => {
    await tx.oauth.spendUserGrants(userId, null, now);
    await tx.sessions.deleteForUser(userId);
    return tx.oauth.revokeUserTokens(userId, null, now);
  });
  await forgetTokens(deps.cache, hashes);
}
