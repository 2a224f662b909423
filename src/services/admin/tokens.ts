import { err, ok, type Result } from "../../domain/result.ts";
import { parseScopes } from "../../domain/scopes.ts";
import { generateSecret, hashSecret } from "../auth/tokens.ts";
import type { AdminDeps } from "./accounts.ts";

export type CreateTokenError = { kind: "not_found" } | { kind: "disabled" } | { kind: "invalid_scopes"; scopes: string };

/**
 * Creates an access token for a local account, as Mastodon's Development settings page does: an application
 * owned by the user, and a token for it with the given scopes. The token is returned once and stored hashed.
 */
export async function createAccessToken(
  deps: AdminDeps,
  username: string,
  scopesText: string,
  appName = "herd admin tokens create",
): Promise<Result<{ token: string; scopes: string[]; username: string }, CreateTokenError>> {
  const scopes = parseScopes(scopesText);
  if (!scopes || scopes.length === 0) return err({ kind: "invalid_scopes", scopes: scopesText });
  const account = await deps.db.repos.accounts.findLocalByUsername(username);
  if (!account) return err({ kind: "not_found" });
  if (account.disabled) return err({ kind: "disabled" });
  const token = generateSecret();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const applicationId = await tx.nextId();
    await tx.oauth.createApplication({
      id: applicationId,
      name: appName,
      clientId: generateSecret(),
      clientSecretHash: hashSecret(generateSecret()),
      redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
      scopes,
      website: null,
      ownerUserId: account.userId,
      now,
    });
    await tx.oauth.createAccessToken({
      id: await tx.nextId(),
      tokenHash: hashSecret(token),
      applicationId,
      userId: account.userId,
      scopes,
      now,
    });
  });
  return ok({ token, scopes, username: account.username });
}
