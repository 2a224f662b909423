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
  /** The account this one moved to; null when it has not moved (absent in records built by hand). */
  readonly movedToAccountId?: bigint | null;
  /** Actor ids this account is also known as (alsoKnownAs), for Move checks. */
  readonly alsoKnownAs?: readonly string[];
  /** Person, Service, Group, Application or Organization for remote accounts; null for local ones. */
  readonly actorType?: ActorType | null;
  /** When a remote account's actor document was last fetched; null for local accounts. */
  readonly fetchedAt?: number | null;
}

/** The ActivityStreams actor types Herd stores as accounts. */
export type ActorType = "Person" | "Service" | "Group" | "Application" | "Organization";
export const ACTOR_TYPES: readonly ActorType[] = ["Person", "Service", "Group", "Application", "Organization"];

/**
 * A remote account as its actor document describes it, already sanitized: display name and field names plain
 * text, note and field values sanitized HTML. Written by `upsertRemote`, keyed by the actor id (`uri`).
 */
export interface RemoteAccountInput {
  /** The id a new row gets (unused when the uri is known already). */
  readonly id: bigint;
  readonly uri: string;
  readonly url: string | null;
  /** Kept as first stored: a later document of the same actor does not rename the account. */
  readonly username: string;
  /** Lower-case host, with the port when not the default. */
  readonly domain: string;
  readonly displayName: string;
  readonly note: string;
  readonly fields: readonly ProfileField[];
  readonly locked: boolean;
  readonly bot: boolean;
  readonly discoverable: boolean | null;
  readonly indexable: boolean;
  readonly actorType: ActorType;
  readonly inboxUrl: string | null;
  readonly sharedInboxUrl: string | null;
  readonly outboxUrl: string | null;
  readonly followersUrl: string | null;
  readonly followingUrl: string | null;
  readonly featuredUrl: string | null;
  readonly featuredTagsUrl: string | null;
  readonly alsoKnownAs: readonly string[];
  readonly movedToAccountId: bigint | null;
  /** Collection sizes the document gave (totalItems); undefined keeps the stored counts. */
  readonly followersCount?: number;
  readonly followingCount?: number;
  readonly statusesCount?: number;
  /** The actor's `published`, else now. Only written for a new row. */
  readonly createdAt: number;
  /** For a new row on a suspended or silenced domain: the block's time (lifting the block lifts these). */
  readonly suspendedAt?: number | null;
  readonly silencedAt?: number | null;
  /** Becomes updated_at and fetched_at. */
  readonly now: number;
}

/** What delivery needs of an account: where its inboxes are and its followers collection. */
export interface AccountFederationInfo {
  readonly uri: string | null;
  readonly inboxUrl: string | null;
  readonly sharedInboxUrl: string | null;
  readonly followersUrl: string | null;
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

  /** The account (remote, in practice) whose ActivityPub id is `uri`. */
  findByUri(uri: string): Promise<AccountRecord | null>;
  /** A remote account by username (case-insensitively) and domain (lower-case host[:port]). */
  findRemote(username: string, domain: string): Promise<AccountRecord | null>;
  /**
   * Inserts a remote account, or updates the row with the same uri (profile, URLs, counts given, fetched_at;
   * username and domain stay as first stored). Null, writing nothing, when another row already holds this
   * username and domain with a different uri: the caller logs and refuses. Safe against a concurrent insert of
   * the same uri (the unique index decides; the loser updates).
   */
  upsertRemote(input: RemoteAccountInput): Promise<{ id: bigint; created: boolean } | null>;
  /** Inboxes and followers collection of these accounts (those that exist), for delivery. */
  federationInfo(ids: readonly bigint[]): Promise<Map<bigint, AccountFederationInfo>>;
  /**
   * Marks a remote account suspended at `now` (its server deleted the actor, as Mastodon marks it); false when it
   * is local, gone or already suspended.
   */
  suspendRemote(id: bigint, now: number): Promise<boolean>;
  /** A local account's migration fields: the actor ids it is also known as, and the account it moved to. */
  setMigration(id: bigint, changes: { alsoKnownAs?: readonly string[]; movedToAccountId?: bigint | null }, now: number): Promise<void>;
}
