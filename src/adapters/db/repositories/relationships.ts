import { sql, type Kysely } from "kysely";
import type {
  AccountList,
  FollowByUri,
  FollowOptionChanges,
  ListedAccount,
  ListedMute,
  ListFilter,
  NewFollow,
  NewMute,
  RelationshipsRepository,
  RelationshipState,
  RowPage,
  StoredFollow,
} from "../../../ports/repositories/relationships.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum } from "./convert.ts";
import { familiarFollowers, listAccounts, listDomainBlocks, listMutes, parseLanguages, relationshipStates } from "./relationship-queries.ts";

const changed = (n: bigint | undefined) => n !== undefined && n > 0n;
const languagesJson = (l: readonly string[] | null | undefined) => (l && l.length > 0 ? JSON.stringify(l) : null);

function optionColumns(changes: FollowOptionChanges): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (changes.showReblogs !== undefined) set.show_reblogs = changes.showReblogs;
  if (changes.notify !== undefined) set.notify = changes.notify;
  if (changes.languages !== undefined) set.languages = languagesJson(changes.languages);
  return set;
}

/** RelationshipsRepository over Kysely, the same SQL on SQLite and PostgreSQL. */
export class KyselyRelationshipsRepository implements RelationshipsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  /**
   * Moves the follower's following_count and the followed account's followers_count by `delta`, in place
   * (`x = x + 1`), so concurrent follows never lose an update. Rows are updated in id order: two transactions
   * following each other's accounts then lock in the same order and cannot deadlock.
   */
  async #bumpCounts(followerId: bigint, followedId: bigint, delta: 1 | -1): Promise<void> {
    const updates: [bigint, "following_count" | "followers_count"][] = [
      [followerId, "following_count"],
      [followedId, "followers_count"],
    ];
    updates.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [id, column] of updates) {
      const ref = sql.ref(column);
      const value = delta > 0 ? sql`${ref} + 1` : sql`case when ${ref} > 0 then ${ref} - 1 else 0 end`;
      await this.#db.updateTable("accounts").set({ [column]: value } as never).where("id", "=", id).execute();
    }
  }

  /** Inserts a follow or a follow request unless the pair already has one; true when a row was added. */
  async #insertFollowRow(table: "follows" | "follow_requests", input: NewFollow): Promise<boolean> {
    const r = await this.#db
      .insertInto(table)
      .values({
        id: input.id,
        account_id: input.accountId,
        target_account_id: input.targetAccountId,
        created_at: input.now,
        show_reblogs: input.showReblogs,
        notify: input.notify,
        languages: languagesJson(input.languages),
        uri: input.uri ?? null,
        remote_follower: sql<boolean>`(select domain is not null from accounts where id = ${input.accountId})`,
      })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
      .executeTakeFirst();
    return changed(r.numInsertedOrUpdatedRows);
  }

  async follow(input: NewFollow): Promise<boolean> {
    if (!(await this.#insertFollowRow("follows", input))) return false;
    await this.#bumpCounts(input.accountId, input.targetAccountId, 1);
    return true;
  }

  async updateFollow(accountId: bigint, targetAccountId: bigint, changes: FollowOptionChanges): Promise<void> {
    const set = optionColumns(changes);
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable("follows").set(set).where("account_id", "=", accountId).where("target_account_id", "=", targetAccountId).execute();
  }

  async unfollow(accountId: bigint, targetAccountId: bigint): Promise<boolean> {
    const r = await this.#db
      .deleteFrom("follows")
      .where("account_id", "=", accountId)
      .where("target_account_id", "=", targetAccountId)
      .executeTakeFirst();
    if (!changed(r.numDeletedRows)) return false;
    await this.#bumpCounts(accountId, targetAccountId, -1);
    // Endorsing needs a follow (Mastodon drops the endorsement with it).
    await this.#db.deleteFrom("account_pins").where("account_id", "=", accountId).where("target_account_id", "=", targetAccountId).execute();
    return true;
  }

  async findFollow(accountId: bigint, targetAccountId: bigint): Promise<StoredFollow | null> {
    return this.#options("follows", accountId, targetAccountId);
  }

  async #options(table: "follows" | "follow_requests", accountId: bigint, targetAccountId: bigint): Promise<StoredFollow | null> {
    const row = await this.#db
      .selectFrom(table)
      .select(["show_reblogs", "notify", "languages", "uri"])
      .where("account_id", "=", accountId)
      .where("target_account_id", "=", targetAccountId)
      .executeTakeFirst();
    return row ? { showReblogs: toBool(row.show_reblogs), notify: toBool(row.notify), languages: parseLanguages(row.languages), uri: row.uri } : null;
  }

  async findFollowByUri(uri: string): Promise<FollowByUri | null> {
    for (const table of ["follows", "follow_requests"] as const) {
      const row = await this.#db.selectFrom(table).select(["account_id", "target_account_id"]).where("uri", "=", uri).executeTakeFirst();
      if (row) return { accountId: toId(row.account_id), targetAccountId: toId(row.target_account_id), request: table === "follow_requests" };
    }
    return null;
  }

  requestFollow(input: NewFollow): Promise<boolean> {
    return this.#insertFollowRow("follow_requests", input);
  }

  async updateFollowRequest(accountId: bigint, targetAccountId: bigint, changes: FollowOptionChanges): Promise<void> {
    const set = optionColumns(changes);
    if (Object.keys(set).length === 0) return;
    await this.#db.updateTable("follow_requests").set(set).where("account_id", "=", accountId).where("target_account_id", "=", targetAccountId).execute();
  }

  findFollowRequest(accountId: bigint, targetAccountId: bigint): Promise<StoredFollow | null> {
    return this.#options("follow_requests", accountId, targetAccountId);
  }

  async deleteFollowRequest(accountId: bigint, targetAccountId: bigint): Promise<boolean> {
    const r = await this.#db
      .deleteFrom("follow_requests")
      .where("account_id", "=", accountId)
      .where("target_account_id", "=", targetAccountId)
      .executeTakeFirst();
    return changed(r.numDeletedRows);
  }

  async countFollowRequests(targetAccountId: bigint): Promise<number> {
    const row = await this.#db
      .selectFrom("follow_requests as r")
      .innerJoin("accounts as a", "a.id", "r.account_id")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("r.target_account_id", "=", targetAccountId)
      .where("a.suspended_at", "is", null)
      .executeTakeFirstOrThrow();
    return toNum(row.n as bigint | string | number);
  }

  async block(id: bigint, accountId: bigint, targetAccountId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("blocks")
      .values({ id, account_id: accountId, target_account_id: targetAccountId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
      .executeTakeFirst();
    return changed(r.numInsertedOrUpdatedRows);
  }

  async unblock(accountId: bigint, targetAccountId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("blocks").where("account_id", "=", accountId).where("target_account_id", "=", targetAccountId).executeTakeFirst();
    return changed(r.numDeletedRows);
  }

  async blocksBetween(a: bigint, b: bigint): Promise<{ aBlocksB: boolean; bBlocksA: boolean }> {
    const rows = await this.#db
      .selectFrom("blocks")
      .select(["account_id"])
      .where((eb) =>
        eb.or([
          eb.and([eb("account_id", "=", a), eb("target_account_id", "=", b)]),
          eb.and([eb("account_id", "=", b), eb("target_account_id", "=", a)]),
        ]),
      )
      .execute();
    const blockers = rows.map((r) => toId(r.account_id));
    return { aBlocksB: blockers.includes(a), bBlocksA: blockers.includes(b) };
  }

  async mute(input: NewMute): Promise<void> {
    await this.#db
      .insertInto("mutes")
      .values({
        id: input.id,
        account_id: input.accountId,
        target_account_id: input.targetAccountId,
        created_at: input.now,
        hide_notifications: input.hideNotifications,
        expires_at: input.expiresAt,
      })
      .onConflict((oc) =>
        oc.columns(["account_id", "target_account_id"]).doUpdateSet({ hide_notifications: input.hideNotifications, expires_at: input.expiresAt }),
      )
      .execute();
  }

  async unmute(accountId: bigint, targetAccountId: bigint): Promise<boolean> {
    const r = await this.#db.deleteFrom("mutes").where("account_id", "=", accountId).where("target_account_id", "=", targetAccountId).executeTakeFirst();
    return changed(r.numDeletedRows);
  }

  async setNote(id: bigint, accountId: bigint, targetAccountId: bigint, comment: string | null, now: number): Promise<void> {
    if (comment === null) {
      await this.#db.deleteFrom("account_notes").where("account_id", "=", accountId).where("target_account_id", "=", targetAccountId).execute();
      return;
    }
    await this.#db
      .insertInto("account_notes")
      .values({ id, account_id: accountId, target_account_id: targetAccountId, created_at: now, comment })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ comment }))
      .execute();
  }

  async endorse(id: bigint, accountId: bigint, targetAccountId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("account_pins")
      .values({ id, account_id: accountId, target_account_id: targetAccountId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
      .executeTakeFirst();
    return changed(r.numInsertedOrUpdatedRows);
  }

  async unendorse(accountId: bigint, targetAccountId: bigint): Promise<boolean> {
    const r = await this.#db
      .deleteFrom("account_pins")
      .where("account_id", "=", accountId)
      .where("target_account_id", "=", targetAccountId)
      .executeTakeFirst();
    return changed(r.numDeletedRows);
  }

  async countEndorsements(accountId: bigint): Promise<number> {
    const row = await this.#db
      .selectFrom("account_pins")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    return toNum(row.n as bigint | string | number);
  }

  async blockDomain(id: bigint, accountId: bigint, domain: string, now: number): Promise<boolean> {
    const r = await this.#db
      .insertInto("account_domain_blocks")
      .values({ id, account_id: accountId, domain, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "domain"]).doNothing())
      .executeTakeFirst();
    return changed(r.numInsertedOrUpdatedRows);
  }

  async unblockDomain(accountId: bigint, domain: string): Promise<boolean> {
    const r = await this.#db.deleteFrom("account_domain_blocks").where("account_id", "=", accountId).where("domain", "=", domain).executeTakeFirst();
    return changed(r.numDeletedRows);
  }

  async isDomainBlocked(accountId: bigint, domain: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("account_domain_blocks")
      .select("id")
      .where("account_id", "=", accountId)
      .where("domain", "=", domain)
      .executeTakeFirst();
    return row !== undefined;
  }

  async removeFollowersFromDomain(accountId: bigint, domain: string): Promise<bigint[]> {
    const followers = await this.#db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .select("f.account_id")
      .where("f.target_account_id", "=", accountId)
      .where(sql<boolean>`lower(a.domain) = ${domain}`)
      .execute();
    const removed: bigint[] = [];
    for (const row of followers) {
      const follower = toId(row.account_id);
      if (await this.unfollow(follower, accountId)) removed.push(follower);
    }
    await this.#db
      .deleteFrom("follow_requests")
      .where("target_account_id", "=", accountId)
      .where("account_id", "in", (eb) => eb.selectFrom("accounts").select("id").where(sql<boolean>`lower(domain) = ${domain}`))
      .execute();
    return removed;
  }

  relationships(accountId: bigint, targetIds: readonly bigint[], now: number): Promise<Map<bigint, RelationshipState>> {
    return relationshipStates(this.#db, accountId, targetIds, now);
  }

  listAccounts(list: AccountList, accountId: bigint, page: RowPage, filter?: ListFilter): Promise<ListedAccount[]> {
    return listAccounts(this.#db, list, accountId, page, filter);
  }

  listMutes(accountId: bigint, page: RowPage, now: number): Promise<ListedMute[]> {
    return listMutes(this.#db, accountId, page, now);
  }

  listDomainBlocks(accountId: bigint, page: RowPage): Promise<{ rowId: bigint; domain: string }[]> {
    return listDomainBlocks(this.#db, accountId, page);
  }

  familiarFollowers(viewerId: bigint, targetIds: readonly bigint[]): Promise<Map<bigint, bigint[]>> {
    return familiarFollowers(this.#db, viewerId, targetIds);
  }
}
