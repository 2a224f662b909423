import type { ProfileField, UserSettings } from "../../domain/profile.ts";

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
export interface AccountsRepository extends AccountProfiles {
  /** Inserts; returns false (and writes nothing) when the username or e-mail is taken. */
  createLocal(input: NewLocalAccount): Promise<boolean>;
  findLocalByUsername(username: string): Promise<LocalAccount | null>;
  findLocalByEmail(email: string): Promise<LocalAccount | null>;
  /** Oldest first, from after `afterAccountId`, up to `limit`. */
  listLocal(afterAccountId: bigint | null, limit: number): Promise<LocalAccount[]>;
  updateLocal(accountId: bigint, changes: LocalAccountChanges): Promise<void>;
  passwordHashOf(accountId: bigint): Promise<string | null>;
}

/** The sign-in side of a local account, as profile rendering needs it (role badge, preferences, visibility). */
export interface AccountUser {
  readonly role: UserRole;
  readonly confirmed: boolean;
  readonly approved: boolean;
  readonly disabled: boolean;
  readonly settings: UserSettings;
}

/** An account (local or remote) with everything the Account entity shows. */
export interface AccountRecord {
  readonly id: bigint;
  readonly username: string;
  /** Null for local accounts. */
  readonly domain: string | null;
  readonly displayName: string;
  /** Plain text for local accounts (rendered on output); sanitized HTML for remote ones. */
  readonly note: string;
  readonly locked: boolean;
  readonly bot: boolean;
  readonly discoverable: boolean | null;
  readonly indexable: boolean;
  readonly hideCollections: boolean;
  readonly avatarKey: string | null;
  readonly headerKey: string | null;
  readonly fields: readonly ProfileField[];
  readonly followersCount: number;
  readonly followingCount: number;
  readonly statusesCount: number;
  readonly lastStatusAt: number | null;
  /** Stored ActivityPub id and profile URL; null for local accounts, whose are derived from the username. */
  readonly uri: string | null;
  readonly url: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly suspendedAt: number | null;
  readonly silencedAt: number | null;
  readonly memorial: boolean;
  /** Present for local accounts. */
  readonly user: AccountUser | null;
}

/** What a profile edit changes; undefined leaves a column as it is, null clears a nullable one. */
export interface ProfileChanges {
  readonly displayName?: string;
  readonly note?: string;
  readonly locked?: boolean;
  readonly bot?: boolean;
  readonly discoverable?: boolean;
  readonly indexable?: boolean;
  readonly hideCollections?: boolean;
  readonly fields?: readonly ProfileField[];
  readonly avatarKey?: string | null;
  readonly headerKey?: string | null;
  readonly now: number;
}

export interface AccountSearch {
  /** Lower-cased username prefix or display-name word prefix. */
  readonly query: string;
  readonly limit: number;
  readonly offset: number;
  /** Only accounts this account follows. */
  readonly followedBy?: bigint;
}

/** Profiles of accounts, local and remote, for the client API. */
export interface AccountProfiles {
  findById(id: bigint): Promise<AccountRecord | null>;
  /**
   * Inside a transaction, holds the account's row until it ends, so per-account limits (count, then insert) are
   * checked one request at a time. PostgreSQL: SELECT … FOR UPDATE; SQLite needs nothing, its write
   * transactions (BEGIN IMMEDIATE) already run one at a time.
   */
  lockForUpdate(id: bigint): Promise<void>;
  /** The accounts that exist among `ids`, in no particular order. */
  findByIds(ids: readonly bigint[]): Promise<AccountRecord[]>;
  /** A local account by username, case-insensitively. */
  findLocalRecord(username: string): Promise<AccountRecord | null>;
  /**
   * Local, confirmed, approved, unsuspended accounts whose username starts with the query or whose display name
   * has a word starting with it; an exact username match first, then the most followed.
   */
  searchLocal(search: AccountSearch): Promise<AccountRecord[]>;
  updateProfile(id: bigint, changes: ProfileChanges): Promise<void>;
  /** Replaces the user's preferences (users.settings) of a local account. */
  updateSettings(accountId: bigint, settings: UserSettings, now: number): Promise<void>;
}
