import type { Kysely } from "kysely";
import type {
  AccountsRepository,
  LocalAccount,
  LocalAccountChanges,
  NewLocalAccount,
  UserRole,
} from "../../../ports/repositories/accounts.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum } from "./convert.ts";

export class KyselyAccountsRepository implements AccountsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  #select() {
    return this.#db
      .selectFrom("accounts")
      .innerJoin("users", "users.account_id", "accounts.id")
      .select([
        "accounts.id as account_id",
        "users.id as user_id",
        "accounts.username",
        "users.email",
        "users.role",
        "users.confirmed_at",
        "users.approved",
        "users.disabled",
        "accounts.created_at",
      ])
      .where("accounts.domain", "is", null);
  }

  async createLocal(input: NewLocalAccount): Promise<boolean> {
    const taken = await this.#db
      .selectFrom("accounts")
      .select("id")
      .where("username_lower", "=", input.username.toLowerCase())
      .where("domain", "is", null)
      .unionAll(this.#db.selectFrom("users").select("id").where("email_lower", "=", input.email.toLowerCase()))
      .executeTakeFirst();
    if (taken) return false;
    await this.#db
      .insertInto("accounts")
      .values({
        id: input.accountId,
        username: input.username,
        username_lower: input.username.toLowerCase(),
        domain: null,
        display_name: "",
        note: "",
        locked: false,
        bot: false,
        created_at: input.now,
        updated_at: input.now,
      })
      .execute();
    await this.#db
      .insertInto("users")
      .values({
        id: input.userId,
        account_id: input.accountId,
        email: input.email,
        email_lower: input.email.toLowerCase(),
        password_hash: input.passwordHash,
        role: input.role,
        confirmed_at: input.confirmed ? input.now : null,
        approved: input.approved,
        disabled: false,
        locale: null,
        created_at: input.now,
        updated_at: input.now,
      })
      .execute();
    return true;
  }

  async findLocalByUsername(username: string): Promise<LocalAccount | null> {
    const row = await this.#select().where("accounts.username_lower", "=", username.toLowerCase()).executeTakeFirst();
    return row ? toLocal(row) : null;
  }

  async findLocalByEmail(email: string): Promise<LocalAccount | null> {
    const row = await this.#select().where("users.email_lower", "=", email.toLowerCase()).executeTakeFirst();
    return row ? toLocal(row) : null;
  }

  async listLocal(afterAccountId: bigint | null, limit: number): Promise<LocalAccount[]> {
    let q = this.#select().orderBy("accounts.id").limit(limit);
    if (afterAccountId !== null) q = q.where("accounts.id", ">", afterAccountId);
    return (await q.execute()).map(toLocal);
  }

  async updateLocal(accountId: bigint, changes: LocalAccountChanges): Promise<void> {
    const set: Record<string, unknown> = { updated_at: changes.now };
    if (changes.role !== undefined) set.role = changes.role;
    if (changes.disabled !== undefined) set.disabled = changes.disabled;
    if (changes.approved !== undefined) set.approved = changes.approved;
    if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
    await this.#db.updateTable("users").set(set).where("account_id", "=", accountId).execute();
  }

  async passwordHashOf(accountId: bigint): Promise<string | null> {
    const row = await this.#db
      .selectFrom("users")
      .select("password_hash")
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return row?.password_hash ?? null;
  }
}

function toLocal(row: {
  account_id: bigint | string;
  user_id: bigint | string;
  username: string;
  email: string;
  role: string;
  confirmed_at: bigint | string | null;
  approved: boolean | number | bigint;
  disabled: boolean | number | bigint;
  created_at: bigint | string;
}): LocalAccount {
  return {
    accountId: toId(row.account_id),
    userId: toId(row.user_id),
    username: row.username,
    email: row.email,
    role: row.role as UserRole,
    confirmed: row.confirmed_at !== null,
    approved: toBool(row.approved),
    disabled: toBool(row.disabled),
    createdAt: toNum(row.created_at),
  };
}
