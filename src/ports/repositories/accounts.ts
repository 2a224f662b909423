export type UserRole = "owner" | "admin" | "moderator" | "user";
export const USER_ROLES: readonly UserRole[] = ["owner", "admin", "moderator", "user"];

/** A local account together with its user (sign-in) record, as the admin CLI and sign-in need it. */
export interface LocalAccount {
  readonly accountId: bigint;
  readonly userId: bigint;
  readonly username: string;
  readonly email: string;
  readonly role: UserRole;
  readonly confirmed: boolean;
  readonly approved: boolean;
  readonly disabled: boolean;
  readonly createdAt: number;
}

export interface NewLocalAccount {
  readonly accountId: bigint;
  readonly userId: bigint;
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly role: UserRole;
  readonly confirmed: boolean;
  readonly approved: boolean;
  readonly now: number;
}

export interface LocalAccountChanges {
  readonly role?: UserRole;
  readonly disabled?: boolean;
  readonly approved?: boolean;
  readonly passwordHash?: string;
  readonly now: number;
}

/** Local accounts and their users. Usernames and e-mails compare case-insensitively, as Mastodon's do. */
export interface AccountsRepository {
  /** Inserts; returns false (and writes nothing) when the username or e-mail is taken. */
  createLocal(input: NewLocalAccount): Promise<boolean>;
  findLocalByUsername(username: string): Promise<LocalAccount | null>;
  findLocalByEmail(email: string): Promise<LocalAccount | null>;
  /** Oldest first, from after `afterAccountId`, up to `limit`. */
  listLocal(afterAccountId: bigint | null, limit: number): Promise<LocalAccount[]>;
  updateLocal(accountId: bigint, changes: LocalAccountChanges): Promise<void>;
  passwordHashOf(accountId: bigint): Promise<string | null>;
}
