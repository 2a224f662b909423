import { sql, type Kysely } from "kysely";
import type {
  ExclusionQuery,
  FeedFollower,
  PublicTimelineQuery,
  TimelinesRepository,
  ViewerNetwork,
  StateWanted,
  ViewerStanding,
} from "../../../ports/repositories/timelines.ts";
import type { ListHolding } from "../../../ports/repositories/lists.ts";
import { inIds, isPostgres, runWithIds } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull } from "./convert.ts";
import { HOLDINGS_FROM, holdingsOf, toListHolding } from "./lists.ts";
import { parseLanguages } from "./relationship-queries.ts";
import { collectViewerState, emptyViewerState, viewerStateSql } from "./viewer-state-sql.ts";
import { batchedViewerStanding, type StandingQuery } from "./viewer-standing-batch.ts";
import { ReadCoalescer } from "../read-coalescer.ts";

type Id = bigint | string | number;

// A feed page's authors ({ids}) the viewer may no longer see ("h") or follows ("f"); `{0}` viewer, `{1}` now. On
// SQLite; PostgreSQL asks the same, pair by pair, for many pages at once (viewer-standing-batch.ts).
// The state branches (viewer-state-sql.ts) name their column `v`: a union takes the first branch's names.
const STANDING_SQL = `
      select 'h' as k, target_account_id as t from blocks where account_id = {0} and target_account_id {ids}
      union all select 'h', account_id from blocks where target_account_id = {0} and account_id {ids}
      union all select 'h', target_account_id from mutes where account_id = {0} and target_account_id {ids} and (expires_at is null or expires_at > {1})
      union all select 'h', a.id from accounts a where a.id {ids} and (a.suspended_at is not null
        or exists (select 1 from account_domain_blocks d where d.account_id = {0} and d.domain = lower(a.domain)))
      union all select 'f', target_account_id from follows where account_id = {0} and target_account_id {ids}`;

// An author's local followers, `{0}` the author: one definition for every read of them below.
const FOLLOWER_COLUMNS = "f.id, f.account_id, f.show_reblogs, f.languages, f.notify";
const LOCAL_FOLLOWERS_FROM = `from follows f inner join accounts a on a.id = f.account_id
        where f.target_account_id = {0} and a.domain is null and a.suspended_at is null`;
// A batch of `{1}` of them; the next batch after follow id `{2}`.
const FIRST_FOLLOWERS_SQL = `select ${FOLLOWER_COLUMNS} ${LOCAL_FOLLOWERS_FROM} order by f.id limit {1}`;
const NEXT_FOLLOWERS_SQL = `select ${FOLLOWER_COLUMNS} ${LOCAL_FOLLOWERS_FROM} and f.id > {2} order by f.id limit {1}`;
// Both in one round trip for PostgreSQL: the first batch (k 0) and lists.holdingsOf (k 1). The batch is a
// derived table: SQLite takes no ORDER BY or LIMIT on a compound select's arms.
const FIRST_AUDIENCE_SQL = `
      select * from (select 0 as k, ${FOLLOWER_COLUMNS}, null as replies_policy, cast(null as boolean) as exclusive
        ${LOCAL_FOLLOWERS_FROM} order by f.id limit {1}) as batch
      union all select 1, l.id, l.account_id, null, null, null, l.replies_policy, l.exclusive ${HOLDINGS_FROM}`;

interface FollowerRow {
  readonly id: Id;
  readonly account_id: Id;
  readonly show_reblogs: boolean | number | bigint;
  readonly languages: string | null;
  readonly notify: boolean | number | bigint;
}

const toFeedFollower = (r: FollowerRow): FeedFollower => ({
  followId: toId(r.id), accountId: toId(r.account_id), showReblogs: toBool(r.show_reblogs), languages: parseLanguages(r.languages), notify: toBool(r.notify),
});

/** A row of FIRST_AUDIENCE_SQL: a follower's columns when k is 0, a list holding's when it is 1. */
type AudienceRow = FollowerRow & { readonly k: number | bigint | string; readonly replies_policy: string; readonly exclusive: boolean | number };

// The union viewerStanding runs on SQLite for what a page asks, made once per shape: the same text object every
// time, so runWithIds finds its written form without hashing the text again.
const standingTexts = new Map<string, string>();
function standingText(authors: boolean, state: boolean, conversations: boolean): string {
  const key = `${authors}${state}${conversations}`;
  let text = standingTexts.get(key);
  if (text === undefined) {
    const parts = authors ? [STANDING_SQL] : [];
    if (state) parts.push(...viewerStateSql(authors ? 1 : 0, conversations));
    standingTexts.set(key, (text = parts.join(" union all ")));
  }
  return text;
}

// Pairs a coalesced viewerStanding asks about at most: a dozen pages of forty statuses and their authors.
const COALESCED_PAIRS_MAX = 1_000;

/**
 * TimelinesRepository over Kysely: the same SQL on SQLite and PostgreSQL, one round trip per method, except the
 * standing, which PostgreSQL asks pair by pair for many pages at once.
 */
export class KyselyTimelinesRepository implements TimelinesRepository {
  #db: Kysely<Tables>;
  // PostgreSQL: every page's standing is one batched statement, and outside a transaction concurrent pages share
  // it (read-coalescer.ts). SQLite runs a statement in-process, where a shared one saves nothing.
  readonly #standings: ReadCoalescer<StandingQuery, ViewerStanding> | null;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
    this.#standings =
      isPostgres(db) && !db.isTransaction
        ? new ReadCoalescer(
            (queries) => batchedViewerStanding(db, queries),
            (q) => q.authorIds.length + (q.wanted ? q.wanted.statusIds.length + q.wanted.conversationIds.length : 0),
            COALESCED_PAIRS_MAX,
          )
        : null;
  }

  async localFollowers(accountId: bigint, afterFollowId: bigint | null, limit: number): Promise<FeedFollower[]> {
    const rows =
      afterFollowId === null
        ? await runWithIds<FollowerRow>(this.#db, FIRST_FOLLOWERS_SQL, [accountId, limit])
        : await runWithIds<FollowerRow>(this.#db, NEXT_FOLLOWERS_SQL, [accountId, limit, afterFollowId]);
    return rows.map(toFeedFollower);
  }

  async firstAudience(accountId: bigint, limit: number): Promise<{ followers: FeedFollower[]; holdings: ListHolding[] }> {
    if (!isPostgres(this.#db)) {
      // SQLite has no round trip to spare, and the union cost more than the two statements (a third more for a
      // hundred followers), so it runs them one after the other.
      const followers = await this.localFollowers(accountId, null, limit);
      return { followers, holdings: await holdingsOf(this.#db, accountId) };
    }
    const rows = await runWithIds<AudienceRow>(this.#db, FIRST_AUDIENCE_SQL, [accountId, limit]);
    const followers: FeedFollower[] = [];
    const holdings: ListHolding[] = [];
    for (const r of rows) {
      if (Number(r.k) === 0) followers.push(toFeedFollower(r));
      else holdings.push(toListHolding(r));
    }
    // A union promises no order of its own.
    followers.sort((a, b) => (a.followId < b.followId ? -1 : a.followId > b.followId ? 1 : 0));
    return { followers, holdings };
  }

  async followOptionsAmong(receiverIds: readonly bigint[], targetId: bigint): Promise<Map<bigint, FeedFollower>> {
    if (receiverIds.length === 0) return new Map();
    const rows = await runWithIds<Omit<FollowerRow, "notify">>(
      this.#db, "select id, account_id, show_reblogs, languages from follows where target_account_id = {0} and account_id {ids}", [targetId], receiverIds,
    );
    return new Map(
      rows.map((r) => [toId(r.account_id), { followId: toId(r.id), accountId: toId(r.account_id), showReblogs: toBool(r.show_reblogs), languages: parseLanguages(r.languages) }]),
    );
  }

  // The *Among reads run for every batch of every fan-out, over a thousand receivers: written once per list
  // length (runWithIds) rather than built and compiled with Kysely per call, which cost more than the query.
  async excludedAmong(receiverIds: readonly bigint[], q: ExclusionQuery): Promise<Set<bigint>> {
    if (receiverIds.length === 0) return new Set();
    const parts: string[] = [];
    const fixed: unknown[] = [];
    const lists: (readonly bigint[])[] = [receiverIds];
    // Each part is read from the side of the few authors (the target index for blocks and mutes of them, the pair
    // index's prefix for their own blocks), with the unary plus keeping the planner off a probe per receiver:
    // a batch of a thousand followers of whom hardly any block or mute the author costs a range scan, not a
    // thousand probes per table.
    if (q.blockedOrMuted.length > 0) {
      const targets = `{ids${lists.push(q.blockedOrMuted) - 1}}`;
      parts.push(`select account_id as r from blocks where target_account_id ${targets} and +account_id {ids}`);
      parts.push(`select account_id from mutes where target_account_id ${targets} and +account_id {ids} and (expires_at is null or expires_at > {${fixed.push(q.now) - 1}})`);
    }
    if (q.blockers.length > 0) parts.push(`select target_account_id from blocks where account_id {ids${lists.push(q.blockers) - 1}} and +target_account_id {ids}`);
    if (q.domains.length > 0) {
      const domains = q.domains.map((d) => `{${fixed.push(d.toLowerCase()) - 1}}`).join(", ");
      parts.push(`select account_id from account_domain_blocks where account_id {ids} and domain in (${domains})`);
    }
    if (parts.length === 0) return new Set();
    const rows = await runWithIds<{ r: Id }>(this.#db, parts.join(" union "), fixed, ...lists);
    return new Set(rows.map((row) => toId(row.r)));
  }

  async followingAnyAmong(receiverIds: readonly bigint[], targetIds: readonly bigint[]): Promise<Set<bigint>> {
    if (receiverIds.length === 0 || targetIds.length === 0) return new Set();
    const rows = await runWithIds<{ account_id: Id }>(
      this.#db, "select distinct account_id from follows where account_id {ids} and target_account_id {ids1}", [], receiverIds, targetIds,
    );
    return new Set(rows.map((r) => toId(r.account_id)));
  }

  async boostedEarlierForAmong(receiverIds: readonly bigint[], statusId: bigint, beforeId: bigint, exceptAccountId: bigint): Promise<Set<bigint>> {
    if (receiverIds.length === 0) return new Set();
    const rows = await runWithIds<{ account_id: Id }>(
      this.#db,
      `select distinct f.account_id from statuses s inner join follows f on f.target_account_id = s.account_id
        where s.reblog_of_id = {0} and s.id < {1} and s.deleted_at is null and s.account_id <> {2} and f.account_id {ids}`,
      [statusId, beforeId, exceptAccountId],
      receiverIds,
    );
    return new Set(rows.map((r) => toId(r.account_id)));
  }

  async viewerNetwork(viewerId: bigint, now: number): Promise<ViewerNetwork> {
    const { rows } = await sql<{ k: string; t: Id | null; r: boolean | number | bigint | null; l: string | null }>`
      select 'f' as k, target_account_id as t, show_reblogs as r, languages as l from follows where account_id = ${viewerId}
      union all select 'b', target_account_id, null, null from blocks where account_id = ${viewerId}
      union all select 'm', target_account_id, null, null from mutes where account_id = ${viewerId} and (expires_at is null or expires_at > ${now})
      union all select 'B', account_id, null, null from blocks where target_account_id = ${viewerId}
      union all select 'd', null, null, domain from account_domain_blocks where account_id = ${viewerId}`.execute(this.#db);
    const following = new Map<bigint, { showReblogs: boolean; languages: string[] | null }>();
    const blockedOrMuted = new Set<bigint>();
    const blockedBy = new Set<bigint>();
    const domains = new Set<string>();
    for (const row of rows) {
      if (row.k === "d") domains.add(String(row.l).toLowerCase());
      else if (row.k === "f") following.set(toId(row.t!), { showReblogs: toBool(row.r ?? false), languages: parseLanguages(row.l) });
      else if (row.k === "B") blockedBy.add(toId(row.t!));
      else blockedOrMuted.add(toId(row.t!));
    }
    return { following, blockedOrMuted, blockedBy, domains };
  }

  async statusIdsBy(authorIds: readonly bigint[], maxId: bigint | undefined, limit: number): Promise<bigint[]> {
    if (authorIds.length === 0) return [];
    let q = this.#db
      .selectFrom("statuses")
      .select("id")
      .where(sql<boolean>`account_id ${inIds(this.#db, authorIds)}`)
      .where("deleted_at", "is", null);
    if (maxId !== undefined) q = q.where("id", "<", maxId);
    const rows = await q.orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => toId(r.id));
  }

  async viewerStanding(viewerId: bigint, authorIds: readonly bigint[], now: number, wanted?: StateWanted): Promise<ViewerStanding> {
    const query: StandingQuery = { viewerId, authorIds, now, ...(wanted ? { wanted } : {}) };
    if (this.#standings) return this.#standings.read(query);
    if (isPostgres(this.#db)) return (await batchedViewerStanding(this.#db, [query]))[0];
    const hidden = new Set<bigint>();
    const following = new Set<bigint>();
    const withState = wanted !== undefined && wanted.statusIds.length > 0;
    if (authorIds.length === 0 && !withState) return { hidden, following, ...(wanted ? { state: emptyViewerState() } : {}) };
    const withConversations = withState && wanted.conversationIds.length > 0;
    const lists: (readonly bigint[])[] = authorIds.length === 0 ? [] : [authorIds];
    if (withState) lists.push(wanted.statusIds, ...(withConversations ? [wanted.conversationIds] : []));
    // The standing's branches use `now`; without them it is left out, as a parameter no branch names.
    const fixed = authorIds.length === 0 ? [viewerId] : [viewerId, now];
    const rows = await runWithIds<{ k: string; t?: Id; v?: Id }>(this.#db, standingText(authorIds.length > 0, withState, withConversations), fixed, ...lists);
    const state = wanted ? emptyViewerState() : null;
    for (const row of rows) {
      // The union's column is the first branch's: `t` when the standing leads, `v` when the state is alone.
      const value = (row.t ?? row.v)!;
      if (state && collectViewerState(state, row.k, value)) continue;
      (row.k === "f" ? following : hidden).add(toId(value));
    }
    return { hidden, following, ...(state ? { state } : {}) };
  }

  async publicTimeline(q: PublicTimelineQuery): Promise<bigint[]> {
    const ascending = q.minId !== undefined;
    // The literal conditions match the partial index statuses_public_timeline on both engines; the unary plus
    // keeps SQLite off the reblog_of_id index (a lookup of nearly every row, then a sort).
    let query = this.#db
      .selectFrom("statuses as s")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .leftJoin("users as u", "u.account_id", "a.id")
      .select("s.id")
      .where(sql<boolean>`s.visibility = 'public' and s.deleted_at is null and +s.reblog_of_id is null`)
      .where("a.suspended_at", "is", null)
      .where("a.silenced_at", "is", null)
      // Local accounts that are not confirmed and approved do not exist to others (read-statuses' `available`).
      .where((eb) => eb.or([eb("u.id", "is", null), eb.and([eb("u.confirmed_at", "is not", null), eb("u.approved", "=", true)])]))
      // Replies to others stay out, self-replies (threads) stay in, as Mastodon's PublicFeed.
      .where((eb) => eb.or([eb("s.in_reply_to_id", "is", null), eb("s.in_reply_to_account_id", "=", eb.ref("s.account_id"))]));
    if (q.local === true) query = query.where("a.domain", "is", null);
    if (q.local === false) query = query.where("a.domain", "is not", null);
    if (q.onlyMedia) query = query.where("s.media_attachment_ids", "is not", null);
    const languages = q.languages;
    if (languages && languages.length > 0) query = query.where((eb) => eb.or([eb("s.language", "is", null), eb("s.language", "in", [...languages])]));
    if (q.maxId !== undefined) query = query.where("s.id", "<", q.maxId);
    if (q.minId !== undefined) query = query.where("s.id", ">", q.minId);
    else if (q.sinceId !== undefined) query = query.where("s.id", ">", q.sinceId);
    const viewer = q.viewerId;
    if (viewer !== null)
      query = query.where((eb) =>
        eb.not(
          eb.or([
            eb.exists(eb.selectFrom("blocks as b").select("b.id").where("b.account_id", "=", viewer).whereRef("b.target_account_id", "=", "s.account_id")),
            eb.exists(eb.selectFrom("blocks as b").select("b.id").whereRef("b.account_id", "=", "s.account_id").where("b.target_account_id", "=", viewer)),
            eb.exists(
              eb.selectFrom("mutes as m").select("m.id").where("m.account_id", "=", viewer).whereRef("m.target_account_id", "=", "s.account_id")
                .where(sql<boolean>`(m.expires_at is null or m.expires_at > ${q.now})`),
            ),
            eb.exists(eb.selectFrom("account_domain_blocks as d").select("d.id").where("d.account_id", "=", viewer).where(sql<boolean>`d.domain = lower(a.domain)`)),
          ]),
        ),
      );
    const rows = await query.orderBy("s.id", ascending ? "asc" : "desc").limit(q.limit).execute();
    const ids = rows.map((r) => toId(r.id));
    return ascending ? ids.reverse() : ids;
  }

  async findEvenDeleted(id: bigint) {
    const r = await this.#db
      .selectFrom("statuses")
      .select(["id", "account_id", "reblog_of_id", "visibility", "conversation_id"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!r) return null;
    return { id: toId(r.id), accountId: toId(r.account_id), reblogOfId: toIdOrNull(r.reblog_of_id), visibility: r.visibility, conversationId: toIdOrNull(r.conversation_id) };
  }
}
