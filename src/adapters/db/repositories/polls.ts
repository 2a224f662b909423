import { sql, type Kysely } from "kysely";
import type { NewPoll, NewRemotePoll, PollRecord, PollsRepository } from "../../../ports/repositories/polls.ts";
import { inIds } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum, toNumOrNull } from "./convert.ts";

type PollRow = Awaited<ReturnType<ReturnType<KyselyPollsRepository["selectPolls"]>["executeTakeFirstOrThrow"]>>;

export class KyselyPollsRepository implements PollsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  selectPolls() {
    return this.#db.selectFrom("polls").selectAll();
  }

  /** Polls with their options (one more query for the options of all of them). */
  async #withOptions(rows: readonly PollRow[]): Promise<PollRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => toId(r.id));
    const options = await this.#db
      .selectFrom("poll_options")
      .select(["poll_id", "title", "votes_count"])
      .where(sql<boolean>`poll_id ${inIds(this.#db, ids)}`)
      .orderBy("poll_id")
      .orderBy("position")
      .execute();
    const byPoll = new Map<bigint, { title: string; votesCount: number }[]>();
    for (const o of options) {
      const id = toId(o.poll_id);
      const list = byPoll.get(id) ?? [];
      list.push({ title: o.title, votesCount: toNum(o.votes_count) });
      byPoll.set(id, list);
    }
    return rows.map((r) => ({
      id: toId(r.id),
      statusId: toId(r.status_id),
      accountId: toId(r.account_id),
      options: byPoll.get(toId(r.id)) ?? [],
      expiresAt: toNumOrNull(r.expires_at),
      multiple: toBool(r.multiple),
      hideTotals: toBool(r.hide_totals),
      votesCount: toNum(r.votes_count),
      votersCount: toNumOrNull(r.voters_count),
      endedAt: toNumOrNull(r.ended_at),
      createdAt: toNum(r.created_at),
      updatedAt: toNum(r.updated_at),
    }));
  }

  async #insertOptions(pollId: bigint, options: readonly { id: bigint; title: string }[]): Promise<void> {
    if (options.length === 0) return;
    await this.#db
      .insertInto("poll_options")
      .values(options.map((o, position) => ({ id: o.id, poll_id: pollId, position, title: o.title })))
      .execute();
  }

  async create(input: NewPoll): Promise<void> {
    await this.#db
      .insertInto("polls")
      .values({
        id: input.id,
        status_id: input.statusId,
        account_id: input.accountId,
        expires_at: input.expiresAt,
        multiple: input.multiple,
        hide_totals: input.hideTotals,
        voters_count: 0,
        created_at: input.now,
        updated_at: input.now,
      })
      .execute();
    await this.#insertOptions(input.id, input.options);
  }

  async createRemote(input: NewRemotePoll): Promise<void> {
    await this.#db
      .insertInto("polls")
      .values({
        id: input.id, status_id: input.statusId, account_id: input.accountId, expires_at: input.expiresAt, multiple: input.multiple,
        hide_totals: false, votes_count: input.options.reduce((n, o) => n + o.votesCount, 0), voters_count: input.votersCount,
        created_at: input.now, updated_at: input.now,
      })
      .execute();
    if (input.options.length === 0) return;
    await this.#db
      .insertInto("poll_options")
      .values(input.options.map((o, position) => ({ id: o.id, poll_id: input.id, position, title: o.title, votes_count: o.votesCount })))
      .execute();
  }

  async setRemoteTallies(pollId: bigint, change: { votes: readonly number[]; votersCount: number | null; expiresAt: number | null; now: number }): Promise<void> {
    for (const [position, votes] of change.votes.entries())
      await this.#db.updateTable("poll_options").set({ votes_count: votes }).where("poll_id", "=", pollId).where("position", "=", position).execute();
    await this.#db
      .updateTable("polls")
      .set({ votes_count: change.votes.reduce((n, v) => n + v, 0), voters_count: change.votersCount, expires_at: change.expiresAt, updated_at: change.now })
      .where("id", "=", pollId)
      .execute();
  }

  async findById(id: bigint): Promise<PollRecord | null> {
    const row = await this.selectPolls().where("id", "=", id).executeTakeFirst();
    return row ? (await this.#withOptions([row]))[0] : null;
  }

  async findByStatusIds(statusIds: readonly bigint[]): Promise<Map<bigint, PollRecord>> {
    if (statusIds.length === 0) return new Map();
    const rows = await this.selectPolls().where(sql<boolean>`status_id ${inIds(this.#db, statusIds)}`).execute();
    return new Map((await this.#withOptions(rows)).map((p) => [p.statusId, p]));
  }

  async optionTitlesByStatus(statusIds: readonly bigint[]): Promise<Map<bigint, string[]>> {
    const out = new Map<bigint, string[]>();
    if (statusIds.length === 0) return out;
    const rows = await this.#db
      .selectFrom("poll_options")
      .innerJoin("polls", "polls.id", "poll_options.poll_id")
      .select(["polls.status_id", "poll_options.title"])
      .where(sql<boolean>`polls.status_id ${inIds(this.#db, statusIds)}`)
      .orderBy("polls.status_id")
      .orderBy("poll_options.position")
      .execute();
    for (const r of rows) {
      const id = toId(r.status_id);
      const list = out.get(id) ?? [];
      list.push(r.title);
      out.set(id, list);
    }
    return out;
  }

  async choicesOf(accountId: bigint, pollIds: readonly bigint[]): Promise<Map<bigint, number[]>> {
    const out = new Map<bigint, number[]>();
    if (pollIds.length === 0) return out;
    const rows = await this.#db
      .selectFrom("poll_votes")
      .select(["poll_id", "choice"])
      .where("account_id", "=", accountId)
      .where(sql<boolean>`poll_id ${inIds(this.#db, pollIds)}`)
      .orderBy("id")
      .execute();
    for (const r of rows) {
      const id = toId(r.poll_id);
      const list = out.get(id) ?? [];
      list.push(toNum(r.choice));
      out.set(id, list);
    }
    return out;
  }

  async openForVoting(pollId: bigint, votes: number, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("polls")
      .set({ votes_count: sql`votes_count + ${votes}`, updated_at: now })
      .where("id", "=", pollId)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", BigInt(now))]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async addVotes(pollId: bigint, accountId: bigint, votes: readonly { id: bigint; choice: number }[], now: number): Promise<void> {
    if (votes.length === 0) return;
    await this.#db
      .insertInto("poll_votes")
      .values(votes.map((v) => ({ id: v.id, poll_id: pollId, account_id: accountId, choice: v.choice, created_at: now })))
      .execute();
  }

  async addOptionVotes(pollId: bigint, choices: readonly number[]): Promise<void> {
    if (choices.length === 0) return;
    await this.#db
      .updateTable("poll_options")
      .set({ votes_count: sql`votes_count + 1` })
      .where("poll_id", "=", pollId)
      .where("position", "in", [...choices])
      .execute();
  }

  async addVoter(pollId: bigint): Promise<void> {
    await sql`update polls set voters_count = voters_count + 1 where id = ${pollId} and voters_count is not null`.execute(this.#db);
  }

  async resetOptions(
    pollId: bigint,
    change: { options: readonly { id: bigint; title: string }[]; expiresAt: number; multiple: boolean; hideTotals: boolean; now: number },
  ): Promise<void> {
    // The poll's row first, as votes lock it first: the two cannot deadlock.
    await this.#db
      .updateTable("polls")
      .set({
        expires_at: change.expiresAt, multiple: change.multiple, hide_totals: change.hideTotals,
        votes_count: 0, voters_count: 0, ended_at: null, updated_at: change.now,
      })
      .where("id", "=", pollId)
      .execute();
    await this.#db.deleteFrom("poll_votes").where("poll_id", "=", pollId).execute();
    await this.#db.deleteFrom("poll_options").where("poll_id", "=", pollId).execute();
    await this.#insertOptions(pollId, change.options);
  }

  async updateSettings(pollId: bigint, change: { expiresAt: number; multiple: boolean; hideTotals: boolean; now: number }): Promise<void> {
    await this.#db
      .updateTable("polls")
      .set({ expires_at: change.expiresAt, multiple: change.multiple, hide_totals: change.hideTotals, ended_at: null, updated_at: change.now })
      .where("id", "=", pollId)
      .execute();
  }

  async deleteByStatusId(statusId: bigint): Promise<void> {
    await this.#db.deleteFrom("polls").where("status_id", "=", statusId).execute();
  }

  async dueForEnding(now: number, limit: number, remoteBefore = now): Promise<bigint[]> {
    const rows = await this.#db
      .selectFrom("polls")
      .leftJoin("accounts", "accounts.id", "polls.account_id")
      .select("polls.id")
      .where("polls.ended_at", "is", null)
      .where("polls.expires_at", "is not", null)
      .where("polls.expires_at", "<=", BigInt(now))
      .where((eb) => eb.or([eb("accounts.domain", "is", null), eb("polls.expires_at", "<=", BigInt(remoteBefore))]))
      .orderBy("polls.expires_at")
      .limit(limit)
      .execute();
    return rows.map((r) => toId(r.id));
  }

  async markEnded(pollId: bigint, now: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("polls")
      .set({ ended_at: now })
      .where("id", "=", pollId)
      .where("ended_at", "is", null)
      .where("expires_at", "<=", BigInt(now))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async localVoterIds(pollId: bigint): Promise<bigint[]> {
    const rows = await this.#db
      .selectFrom("poll_votes as v")
      .innerJoin("accounts as a", "a.id", "v.account_id")
      .select("v.account_id")
      .distinct()
      .where("v.poll_id", "=", pollId)
      .where("a.domain", "is", null)
      .orderBy("v.account_id")
      .execute();
    return rows.map((r) => toId(r.account_id));
  }
}
