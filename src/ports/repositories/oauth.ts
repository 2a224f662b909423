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
}

/** OAuth applications and tokens; secrets are looked up by their hash only. */
export interface OAuthRepository {
  createApplication(input: NewOAuthApplication): Promise<void>;
  findApplicationByClientId(clientId: string): Promise<OAuthApplication | null>;
  createAccessToken(input: NewAccessToken): Promise<void>;
  /** A token that is not revoked and whose user (if any) is not disabled. */
  findActiveTokenByHash(tokenHash: string): Promise<AccessToken | null>;
  revokeToken(id: bigint, now: number): Promise<void>;
}
