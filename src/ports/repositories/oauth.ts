export interface OAuthApplication {
  readonly id: bigint;
  readonly name: string;
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly website: string | null;
  readonly createdAt: number;
}

export interface NewOAuthApplication {
  readonly id: bigint;
  readonly name: string;
  readonly clientId: string;
  /** SHA-256 of the client secret, hex. */
  readonly clientSecretHash: string;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly website: string | null;
  readonly ownerUserId: bigint | null;
  readonly now: number;
}

export interface AccessToken {
  readonly id: bigint;
  readonly applicationId: bigint | null;
  /** Null for app-only (client_credentials) tokens. */
  readonly userId: bigint | null;
  readonly accountId: bigint | null;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface NewAccessToken {
  readonly id: bigint;
  /** SHA-256 of the bearer token, hex: the token itself is never stored. */
  readonly tokenHash: string;
  readonly applicationId: bigint | null;
  readonly userId: bigint | null;
  readonly scopes: readonly string[];
  readonly now: number;
  /** SHA-256 of the refresh token issued with it, hex; absent when none was issued. */
  readonly refreshTokenHash?: string | null;
  /** The authorization code it descends from (kept through refreshes); absent for other grants. */
  readonly grantId?: bigint | null;
}

/** An authorization code (Doorkeeper's access grant): single use, short-lived, bound to client and redirect URI. */
export interface AccessGrant {
  readonly id: bigint;
  readonly applicationId: bigint;
  readonly userId: bigint;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: "S256" | "plain" | null;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  readonly createdAt: number;
}

export interface NewAccessGrant {
  readonly id: bigint;
  /** SHA-256 of the code, hex. */
  readonly codeHash: string;
  readonly applicationId: bigint;
  readonly userId: bigint;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: "S256" | "plain" | null;
  readonly expiresAt: number;
  readonly now: number;
}

/** An application a user has granted access to, with what its live tokens allow. */
export interface AuthorizedApplication {
  readonly application: OAuthApplication;
  /** Union of the scopes of the user's live tokens for it. */
  readonly scopes: readonly string[];
  /** When the first live token was issued. */
  readonly authorizedAt: number;
  readonly lastUsedAt: number | null;
}

/** OAuth applications and tokens; secrets are looked up by their hash only. */
export interface OAuthRepository {
  createApplication(input: NewOAuthApplication): Promise<void>;
  findApplicationByClientId(clientId: string): Promise<OAuthApplication | null>;
  /** The application whose client id and secret hash both match; null otherwise. */
  findApplicationByCredentials(clientId: string, clientSecretHash: string): Promise<OAuthApplication | null>;
  findApplicationById(id: bigint): Promise<OAuthApplication | null>;
  createAccessToken(input: NewAccessToken): Promise<void>;
  /** A token that is not revoked and whose user (if any) is not disabled. */
  findActiveTokenByHash(tokenHash: string): Promise<AccessToken | null>;
  /** A token by hash whatever its state (revocation must find revoked and disabled users' tokens too). */
  findTokenByHash(tokenHash: string): Promise<AccessToken | null>;
  /** The token a refresh token was issued with, whatever its state. */
  findTokenByRefreshHash(refreshTokenHash: string): Promise<(AccessToken & { tokenHash: string; grantId: bigint | null }) | null>;
  /** Revokes every live token descended from an authorization code; returns their hashes (to forget them). */
  revokeTokensOfGrant(grantId: bigint, now: number): Promise<string[]>;
  /** Revokes one token; true when this call revoked it (false when it already was), so a race has one winner. */
  revokeToken(id: bigint, now: number): Promise<boolean>;
  /**
   * Revokes the user's live tokens (of one application, or of all when `applicationId` is null); returns their
   * hashes so cached resolutions can be forgotten.
   */
  revokeUserTokens(userId: bigint, applicationId: bigint | null, now: number): Promise<string[]>;
  /** Hashes of every token the user holds, revoked or not (to forget their cached resolutions). */
  tokenHashesOfUser(userId: bigint): Promise<string[]>;
  /** Applications with live tokens of this user, most recently authorized first. */
  listAuthorizedApplications(userId: bigint): Promise<AuthorizedApplication[]>;
  createGrant(input: NewAccessGrant): Promise<void>;
  findGrantByCodeHash(codeHash: string): Promise<AccessGrant | null>;
  /** Marks the code used; true when this call did (a code is spent once, even by racing requests). */
  spendGrant(id: bigint, now: number): Promise<boolean>;
  /** Spends every unused code of a user (for one application, or all when null). */
  spendUserGrants(userId: bigint, applicationId: bigint | null, now: number): Promise<void>;
  /** Deletes codes that expired before `before` (spent or not); returns how many. */
  purgeGrants(before: number): Promise<number>;
}
