import type { Kysely } from "kysely";
import type { UserRole } from "../../../ports/repositories/accounts.ts";
import type { LocalProfile, SignUpDetails, UserRecord, UsersRepository } from "../../../ports/repositories/users.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum, toNumOrNull } from "./convert.ts";

/** Local users (joined with their accounts) for sign-in, registration and e-mail flows. */
export class KyselyUsersRepository implements UsersRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  #select() {
    return this.#db
      .selectFrom("users as u")
      .innerJoin("accounts as a", "a.id", "u.account_id")
      .select([
        "u.id", "u.account_id", "a.username", "u.email", "u.unconfirmed_email", "u.role", "u.confirmed_at",
        "u.confirmation_sent_at", "u.reset_password_sent_at", "u.approved", "u.disabled", "u.locale",
        "u.created_by_application_id", "u.created_at", "u.password_hash",
      ]);
  }

  async findById(userId: bigint): Promise<UserRecord | null> {
    const row = await this.#select().where("u.id", "=", userId).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findByLogin(login: string): Promise<{ user: UserRecord; passwordHash: string } | null> {
    const lower = login.trim().toLowerCase();
    // An e-mail has an @ and a username cannot, so one lookup decides; usernames are local accounts only.
    const q = lower.includes("@")
      ? this.#select().where("u.email_lower", "=", lower)
      : this.#select().where("a.username_lower", "=", lower).where("a.domain", "is", null);
    const row = await q.executeTakeFirst();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async findByConfirmationTokenHash(tokenHash: string): Promise<UserRecord | null> {
    const row = await this.#select().where("u.confirmation_token_hash", "=", tokenHash).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findByResetTokenHash(tokenHash: string): Promise<UserRecord | null> {
    const row = await this.#select().where("u.reset_password_token_hash", "=", tokenHash).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async emailTaken(email: string, exceptUserId: bigint | null): Promise<boolean> {
    const lower = email.toLowerCase();
    // Two lookups: the first uses the unique index on email_lower; the second only reads rows with a pending change.
    let confirmed = this.#db.selectFrom("users").select("id").where("email_lower", "=", lower);
    if (exceptUserId !== null) confirmed = confirmed.where("id", "!=", exceptUserId);
    if (await confirmed.executeTakeFirst()) return true;
    let pending = this.#db
      .selectFrom("users")
      .select("id")
      .where("unconfirmed_email", "is not", null)
      .where((eb) => eb(eb.fn("lower", ["unconfirmed_email"]), "=", lower));
    if (exceptUserId !== null) pending = pending.where("id", "!=", exceptUserId);
    return (await pending.executeTakeFirst()) !== undefined;
  }

  async recordSignUp(userId: bigint, details: SignUpDetails): Promise<void> {
    await this.#db
      .updateTable("users")
      .set({
        locale: details.locale,
        approval_reason: details.approvalReason,
        agreement_at: details.agreementAt,
        sign_up_ip: details.signUpIp,
        created_by_application_id: details.createdByApplicationId,
      })
      .where("id", "=", userId)
      .execute();
  }

  async setConfirmationToken(userId: bigint, tokenHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable("users")
      .set({ confirmation_token_hash: tokenHash, confirmation_sent_at: now, updated_at: now })
      .where("id", "=", userId)
      .execute();
  }

  async confirm(userId: bigint, now: number): Promise<void> {
    const row = await this.#db.selectFrom("users").select(["unconfirmed_email"]).where("id", "=", userId).executeTakeFirst();
    if (!row) return;
    const set: Record<string, unknown> = { confirmed_at: now, confirmation_token_hash: null, unconfirmed_email: null, updated_at: now };
    if (row.unconfirmed_email) {
      set.email = row.unconfirmed_email;
      set.email_lower = row.unconfirmed_email.toLowerCase();
    }
    await this.#db.updateTable("users").set(set).where("id", "=", userId).execute();
  }

  async setUnconfirmedEmail(userId: bigint, email: string, now: number): Promise<void> {
    await this.#db.updateTable("users").set({ unconfirmed_email: email, updated_at: now }).where("id", "=", userId).execute();
  }

  async setResetPasswordToken(userId: bigint, tokenHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable("users")
      .set({ reset_password_token_hash: tokenHash, reset_password_sent_at: now, updated_at: now })
      .where("id", "=", userId)
      .execute();
  }

  async changePassword(userId: bigint, passwordHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable("users")
      .set({ password_hash: passwordHash, reset_password_token_hash: null, reset_password_sent_at: null, updated_at: now })
      .where("id", "=", userId)
      .execute();
  }

  async recordSignIn(userId: bigint, now: number): Promise<void> {
    await this.#db.updateTable("users").set({ last_sign_in_at: now }).where("id", "=", userId).execute();
  }

  async chosenLanguages(accountId: bigint): Promise<string[] | null> {
    const row = await this.#db.selectFrom("users").select("chosen_languages").where("account_id", "=", accountId).executeTakeFirst();
    if (!row?.chosen_languages) return null;
    const parsed: unknown = JSON.parse(row.chosen_languages);
    const codes = Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === "string") : [];
    return codes.length > 0 ? codes : null;
  }

  async setChosenLanguages(accountId: bigint, languages: readonly string[] | null, now: number): Promise<void> {
    const value = languages && languages.length > 0 ? JSON.stringify(languages) : null;
    await this.#db.updateTable("users").set({ chosen_languages: value, updated_at: now }).where("account_id", "=", accountId).execute();
  }

  #profiles() {
    return this.#db
      .selectFrom("accounts as a")
      .select(["a.id", "a.username", "a.display_name", "a.note", "a.avatar_key"])
      .where("a.domain", "is", null);
  }

  async profileOf(accountId: bigint): Promise<LocalProfile | null> {
    const row = await this.#profiles().where("a.id", "=", accountId).executeTakeFirst();
    return row ? toProfile(row) : null;
  }

  async ownerProfile(): Promise<LocalProfile | null> {
    const owner = await this.#profiles()
      .innerJoin("users as u", "u.account_id", "a.id")
      .where("u.role", "=", "owner")
      .orderBy("a.id")
      .executeTakeFirst();
    if (owner) return toProfile(owner);
    const oldest = await this.#profiles().innerJoin("users as u", "u.account_id", "a.id").orderBy("a.id").executeTakeFirst();
    return oldest ? toProfile(oldest) : null;
  }
}

function toProfile(row: { id: bigint | string; username: string; display_name: string; note: string; avatar_key: string | null }): LocalProfile {
  return { accountId: toId(row.id), username: row.username, displayName: row.display_name, note: row.note, avatarKey: row.avatar_key };
}

function toUser(row: {
  id: bigint | string;
  account_id: bigint | string;
  username: string;
  email: string;
  unconfirmed_email: string | null;
  role: string;
  confirmed_at: bigint | string | null;
  confirmation_sent_at: bigint | string | null;
  reset_password_sent_at: bigint | string | null;
  approved: boolean | number | bigint;
  disabled: boolean | number | bigint;
  locale: string | null;
  created_by_application_id: bigint | string | null;
  created_at: bigint | string;
}): UserRecord {
  return {
    id: toId(row.id),
    accountId: toId(row.account_id),
    username: row.username,
    email: row.email,
    unconfirmedEmail: row.unconfirmed_email,
    role: row.role as UserRole,
    confirmedAt: toNumOrNull(row.confirmed_at),
    confirmationSentAt: toNumOrNull(row.confirmation_sent_at),
    resetPasswordSentAt: toNumOrNull(row.reset_password_sent_at),
    approved: toBool(row.approved),
    disabled: toBool(row.disabled),
    locale: row.locale,
    createdByApplicationId: toIdOrNull(row.created_by_application_id),
    createdAt: toNum(row.created_at),
  };
}
