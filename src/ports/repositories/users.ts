import type { UserRole } from "./accounts.ts";

/** A local user as sign-in, registration and e-mail flows need it. */
export interface UserRecord {
  readonly id: bigint;
  readonly accountId: bigint;
  readonly username: string;
  readonly email: string;
  /** A new address waiting for confirmation (it replaces `email` once confirmed). */
  readonly unconfirmedEmail: string | null;
  readonly role: UserRole;
  readonly confirmedAt: number | null;
  readonly confirmationSentAt: number | null;
  readonly resetPasswordSentAt: number | null;
  readonly approved: boolean;
  readonly disabled: boolean;
  readonly locale: string | null;
  /** The app that registered the user through POST /api/v1/accounts, if any. */
  readonly createdByApplicationId: bigint | null;
  readonly createdAt: number;
}

/** What a new sign-up records besides the account itself. */
export interface SignUpDetails {
  readonly locale: string | null;
  readonly approvalReason: string | null;
  readonly agreementAt: number;
  readonly signUpIp: string | null;
  readonly createdByApplicationId: bigint | null;
}

/** Public profile fields of a local account, for pages and OpenID userinfo. */
export interface LocalProfile {
  readonly accountId: bigint;
  readonly username: string;
  readonly displayName: string;
  readonly note: string;
  readonly avatarKey: string | null;
}

/**
 * Local users' sign-in state: confirmation and password-reset tokens (stored as SHA-256 hashes only), sign-up
 * details and sign-in bookkeeping. Accounts themselves are created through AccountsRepository.
 */
export interface UsersRepository {
  findById(userId: bigint): Promise<UserRecord | null>;
  /** By e-mail or username, case-insensitively (what a sign-in form accepts), with the password hash. */
  findByLogin(login: string): Promise<{ user: UserRecord; passwordHash: string } | null>;
  findByConfirmationTokenHash(tokenHash: string): Promise<UserRecord | null>;
  findByResetTokenHash(tokenHash: string): Promise<UserRecord | null>;
  /** True when another user has this e-mail, confirmed or waiting for confirmation. */
  emailTaken(email: string, exceptUserId: bigint | null): Promise<boolean>;
  recordSignUp(userId: bigint, details: SignUpDetails): Promise<void>;
  /** Stores a new confirmation token hash (replacing any earlier one) and when it was sent. */
  setConfirmationToken(userId: bigint, tokenHash: string, now: number): Promise<void>;
  /** Marks the address confirmed: an unconfirmed new address becomes the e-mail; the token is spent. */
  confirm(userId: bigint, now: number): Promise<void>;
  setUnconfirmedEmail(userId: bigint, email: string, now: number): Promise<void>;
  setResetPasswordToken(userId: bigint, tokenHash: string, now: number): Promise<void>;
  /** Sets the password hash and spends the reset token. */
  changePassword(userId: bigint, passwordHash: string, now: number): Promise<void>;
  recordSignIn(userId: bigint, now: number): Promise<void>;
  profileOf(accountId: bigint): Promise<LocalProfile | null>;
  /** The instance owner's profile (role owner, else the oldest local account); null when there is none. */
  ownerProfile(): Promise<LocalProfile | null>;
  /**
   * The ISO 639 codes a local account reads public and hashtag timelines in (users.chosen_languages); null for
   * every language, and for an account without a user.
   */
  chosenLanguages(accountId: bigint): Promise<string[] | null>;
  /** Stores the account's chosen languages; null (or an empty list) reads every language again. */
  setChosenLanguages(accountId: bigint, languages: readonly string[] | null, now: number): Promise<void>;
}
