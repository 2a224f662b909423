/** A signed-in browser. */
export interface WebSession {
  readonly id: bigint;
  readonly userId: bigint;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
}

export interface NewWebSession {
  readonly id: bigint;
  /** SHA-256 of the cookie value, hex: the cookie itself is never stored. */
  readonly sessionHash: string;
  readonly userId: bigint;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly now: number;
  readonly expiresAt: number;
}

/** Web sessions behind the `_herd_session` cookie. */
export interface SessionsRepository {
  create(input: NewWebSession): Promise<void>;
  /** A session that has not expired and whose user is not disabled. */
  findActive(sessionHash: string, now: number): Promise<WebSession | null>;
  /** Records activity and slides the expiry forward. */
  touch(id: bigint, now: number, expiresAt: number): Promise<void>;
  deleteByHash(sessionHash: string): Promise<void>;
  /** Signs the user out everywhere (password reset, account disabled). */
  deleteForUser(userId: bigint): Promise<void>;
  /** Deletes sessions that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}
