import { sql, type Kysely } from "kysely";
import { serializeFields, type UserSettings } from "../../../domain/profile.ts";
import type {
  AccountFederationInfo,
  AccountRecord,
  AccountSearch,
  AccountsRepository,
  LocalAccount,
  LocalAccountChanges,
  NewLocalAccount,
  ProfileChanges,
  RemoteAccountInput,
  UserRole,
} from "../../../ports/repositories/accounts.ts";
import { isPostgres, runWithIds, textWith } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { accountRecordsText, profileColumns, searchLocalAccounts, selectAccountRecords, settingsJson, toAccountRecord, type Row as AccountRow } from "./account-records.ts";
import { toBool, toId, toNum } from "./convert.ts";

// The hottest reads of account records, their texts made once (dialect.ts textWith).
const accountById = textWith(accountRecordsText, ' where "a"."id" = {0}');
const accountsByIds = textWith(accountRecordsText, ' where "a"."id" {ids}');
const accountByUri = textWith(accountRecordsText, ' where "a"."uri" = {0}');

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
    // The unique indexes decide, not a prior SELECT: two sign-ups racing for one name must not both pass a check
    // and then fail on a constraint (which would also abort a PostgreSQL transaction).
    const account = await this.#db
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
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(account.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
    const user = await this.#db
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
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(user.numInsertedOrUpdatedRows ?? 0n) === 0) {
      await this.#db.deleteFrom("accounts").where("id", "=", input.accountId).execute();
      return false;
    }
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

  // findById and findByIds run several times per request (the acting account, a fan-out's author).
  async findById(id: bigint): Promise<AccountRecord | null> {
    const [row] = await runWithIds<AccountRow>(this.#db, accountById(this.#db), [id]);
    return row ? toAccountRecord(row) : null;
  }

  async lockForUpdate(id: bigint): Promise<void> {
    if (isPostgres(this.#db)) await this.#db.selectFrom("accounts").select("id").where("id", "=", id).forUpdate().execute();
  }

  async findByIds(ids: readonly bigint[]): Promise<AccountRecord[]> {
    if (ids.length === 0) return [];
    const rows = await runWithIds<AccountRow>(this.#db, accountsByIds(this.#db), [], ids);
    return rows.map(toAccountRecord);
  }

  async findLocalRecord(username: string): Promise<AccountRecord | null> {
    const row = await selectAccountRecords(this.#db)
      .where("a.username_lower", "=", username.toLowerCase())
      .where("a.domain", "is", null)
      .executeTakeFirst();
    return row ? toAccountRecord(row) : null;
  }

  searchLocal(search: AccountSearch): Promise<AccountRecord[]> {
    return searchLocalAccounts(this.#db, search);
  }

  async updateProfile(id: bigint, changes: ProfileChanges): Promise<void> {
    await this.#db.updateTable("accounts").set(profileColumns(changes)).where("id", "=", id).execute();
  }

  async updateSettings(accountId: bigint, settings: UserSettings, now: number): Promise<void> {
    await this.#db.updateTable("users").set({ settings: settingsJson(settings), updated_at: now }).where("account_id", "=", accountId).execute();
  }

  async findByUri(uri: string): Promise<AccountRecord | null> {
    // The actor of every incoming activity.
    const [row] = await runWithIds<AccountRow>(this.#db, accountByUri(this.#db), [uri]);
    return row ? toAccountRecord(row) : null;
  }

  async findRemote(username: string, domain: string): Promise<AccountRecord | null> {
    // The same expression as the unique index accounts_username_domain, so the index answers.
    const row = await selectAccountRecords(this.#db)
      .where("a.username_lower", "=", username.toLowerCase())
      .where(sql<string>`coalesce(a.domain, '')`, "=", domain.toLowerCase())
      .where("a.domain", "is not", null)
      .executeTakeFirst();
    return row ? toAccountRecord(row) : null;
  }

  async upsertRemote(input: RemoteAccountInput): Promise<{ id: bigint; created: boolean } | null> {
    const profile = {
      display_name: input.displayName,
      note: input.note,
      fields: serializeFields(input.fields),
      locked: input.locked,
      bot: input.bot,
      discoverable: input.discoverable,
      indexable: input.indexable,
      url: input.url,
      actor_type: input.actorType,
      inbox_url: input.inboxUrl,
      shared_inbox_url: input.sharedInboxUrl,
      outbox_url: input.outboxUrl,
      followers_url: input.followersUrl,
      following_url: input.followingUrl,
      featured_url: input.featuredUrl,
      featured_tags_url: input.featuredTagsUrl,
      also_known_as: input.alsoKnownAs.length > 0 ? JSON.stringify(input.alsoKnownAs) : null,
      moved_to_account_id: input.movedToAccountId,
      ...(input.followersCount !== undefined ? { followers_count: Math.max(0, Math.floor(input.followersCount)) } : {}),
      ...(input.followingCount !== undefined ? { following_count: Math.max(0, Math.floor(input.followingCount)) } : {}),
      ...(input.statusesCount !== undefined ? { statuses_count: Math.max(0, Math.floor(input.statusesCount)) } : {}),
      updated_at: input.now,
      fetched_at: input.now,
    };
    const update = async (): Promise<{ id: bigint; created: boolean } | null> => {
      const r = await this.#db.updateTable("accounts").set(profile).where("uri", "=", input.uri).returning("id").executeTakeFirst();
      return r ? { id: toId(r.id), created: false } : null;
    };
    const updated = await update();
    if (updated) return updated;
    // Any unique index may refuse the row (uri raced by another writer, or username@domain taken): nothing is
    // written then, and no error aborts the caller's PostgreSQL transaction.
    const inserted = await this.#db
      .insertInto("accounts")
      .values({
        id: input.id,
        username: input.username,
        username_lower: input.username.toLowerCase(),
        domain: input.domain.toLowerCase(),
        uri: input.uri,
        created_at: input.createdAt,
        suspended_at: input.suspendedAt ?? null,
        silenced_at: input.silencedAt ?? null,
        ...profile,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { id: input.id, created: true };
    return update();
  }

  async federationInfo(ids: readonly bigint[]): Promise<Map<bigint, AccountFederationInfo>> {
    const out = new Map<bigint, AccountFederationInfo>();
    if (ids.length === 0) return out;
    const rows = await this.#db
      .selectFrom("accounts")
      .select(["id", "uri", "inbox_url", "shared_inbox_url", "followers_url"])
      .where("id", "in", [...new Set(ids)])
      .execute();
    for (const r of rows)
      out.set(toId(r.id), { uri: r.uri, inboxUrl: r.inbox_url, sharedInboxUrl: r.shared_inbox_url, followersUrl: r.followers_url });
    return out;
  }

  async setMigration(id: bigint, changes: { alsoKnownAs?: readonly string[]; movedToAccountId?: bigint | null }, now: number): Promise<void> {
    await this.#db
      .updateTable("accounts")
      .set({
        updated_at: now,
        ...(changes.alsoKnownAs === undefined ? {} : { also_known_as: changes.alsoKnownAs.length > 0 ? JSON.stringify(changes.alsoKnownAs) : null }),
        ...(changes.movedToAccountId === undefined ? {} : { moved_to_account_id: changes.movedToAccountId }),
      })
      .where("id", "=", id)
      .execute();
  }

  async suspendRemote(id: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("accounts")
      .set({ suspended_at: now, updated_at: now })
      .where("id", "=", id)
      .where("domain", "is not", null)
      .where("suspended_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
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
