import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database, Tx } from "../../ports/database.ts";
import { generateSecret, hashSecret } from "../auth/tokens.ts";

/** What the OAuth services use: the database, the token cache (to forget revoked tokens) and the clock. */
export interface OAuthDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** A token as handed to a client once: the clear access (and refresh) token; only their hashes are stored. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly scopes: readonly string[];
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

/** Creates an access token (and a refresh token when asked) inside the caller's transaction. */
export async function issueToken(
  tx: Tx,
  input: {
    applicationId: bigint | null;
    userId: bigint | null;
    scopes: readonly string[];
    withRefresh: boolean;
    now: number;
    /** The authorization code the token descends from, so that replaying the code can revoke it. */
    grantId?: bigint | null;
  },
): Promise<IssuedToken> {
  const accessToken = generateSecret();
  const refreshToken = input.withRefresh ? generateSecret() : null;
  await tx.oauth.createAccessToken({
    id: await tx.nextId(),
    tokenHash: hashSecret(accessToken),
    applicationId: input.applicationId,
    userId: input.userId,
    scopes: input.scopes,
    now: input.now,
    refreshTokenHash: refreshToken === null ? null : hashSecret(refreshToken),
    grantId: input.grantId ?? null,
  });
  return { accessToken, refreshToken, scopes: input.scopes, createdAt: input.now };
}
