import { sql, type Kysely, type RawBuilder } from "kysely";
import type {
  AccountList,
  ListedAccount,
  ListedMute,
  ListFilter,
  RelationshipState,
  RowPage,
} from "../../../ports/repositories/relationships.ts";
import type { Tables } from "../schema.ts";
import { inIds } from "../dialect.ts";
import { toBool, toId, toNumOrNull } from "./convert.ts";

type Id = bigint | string | number;
type Flag = boolean | number | bigint | null;

/** Reads a languages column (JSON array text, or null for every language). */
export function parseLanguages(text: string | null): string[] | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.length > 0 ? v.filter((x) => typeof x === "string") : null;
  } catch {
    return null;
  }
}

const EMPTY: RelationshipState = {
  following: null, followedBy: false, requested: null, requestedBy: false, blocking: false, blockedBy: false,
  muting: null, domainBlocking: false, endorsed: false, note: "", targetSuspended: false,
};

/**
 * Every relation between one account and many others in a single UNION ALL query (one round trip on
 * PostgreSQL). Columns are cast so both engines agree on the types of the union.
 */
export async function relationshipStates(db: Kysely<Tables>, me: bigint, targetIds: readonly bigint[], now: number): Promise<Map<bigint, RelationshipState>> {
  const out = new Map<bigint, RelationshipState>();
  if (targetIds.length === 0) return out;
  const ids = inIds(db, targetIds);
  const nb = sql`cast(null as boolean)`;
  const nt = sql`cast(null as text)`;
  const ni = sql`cast(null as bigint)`;
  const query = sql<{ k: string; t: Id; r: Flag; n: Flag; l: string | null; x: Id | null }>`
    select 'account' as k, a.id as t, a.suspended_at is not null as r,
        exists (select 1 from account_domain_blocks d where d.account_id = ${me} and d.domain = lower(a.domain)) as n,
        ${nt} as l, ${ni} as x
      from accounts a where a.id ${ids}
    union all select 'following', target_account_id, show_reblogs, notify, languages, ${ni}
      from follows where account_id = ${me} and target_account_id ${ids}
    union all select 'followed_by', account_id, ${nb}, ${nb}, ${nt}, ${ni}
      from follows where target_account_id = ${me} and account_id ${ids}
    union all select 'requested', target_account_id, show_reblogs, notify, languages, ${ni}
      from follow_requests where account_id = ${me} and target_account_id ${ids}
    union all select 'requested_by', account_id, ${nb}, ${nb}, ${nt}, ${ni}
      from follow_requests where target_account_id = ${me} and account_id ${ids}
    union all select 'blocking', target_account_id, ${nb}, ${nb}, ${nt}, ${ni}
      from blocks where account_id = ${me} and target_account_id ${ids}
    union all select 'blocked_by', account_id, ${nb}, ${nb}, ${nt}, ${ni}
      from blocks where target_account_id = ${me} and account_id ${ids}
    union all select 'muting', target_account_id, hide_notifications, ${nb}, ${nt}, expires_at
      from mutes where account_id = ${me} and target_account_id ${ids} and (expires_at is null or expires_at > ${now})
    union all select 'endorsed', target_account_id, ${nb}, ${nb}, ${nt}, ${ni}
      from account_pins where account_id = ${me} and target_account_id ${ids}
    union all select 'note', target_account_id, ${nb}, ${nb}, comment, ${ni}
      from account_notes where account_id = ${me} and target_account_id ${ids}`;
  const { rows } = await query.execute(db);
  const states = new Map<bigint, { -readonly [K in keyof RelationshipState]: RelationshipState[K] }>();
  for (const row of rows)
    if (row.k === "account") states.set(toId(row.t), { ...EMPTY, targetSuspended: toBool(row.r ?? false), domainBlocking: toBool(row.n ?? false) });
  for (const row of rows) {
    const s = states.get(toId(row.t));
    if (!s) continue;
    const options = () => ({ showReblogs: toBool(row.r ?? false), notify: toBool(row.n ?? false), languages: parseLanguages(row.l) });
    switch (row.k) {
      case "following": s.following = options(); break;
      case "followed_by": s.followedBy = true; break;
      case "requested": s.requested = options(); break;
      case "requested_by": s.requestedBy = true; break;
      case "blocking": s.blocking = true; break;
      case "blocked_by": s.blockedBy = true; break;
      case "muting": s.muting = { hideNotifications: toBool(row.r ?? false), expiresAt: toNumOrNull(row.x) }; break;
      case "endorsed": s.endorsed = true; break;
      case "note": s.note = row.l ?? ""; break;
    }
  }
  // In the order asked, which is the order clients expect them back.
  for (const id of targetIds) {
    const s = states.get(id);
    if (s) out.set(id, s);
  }
  return out;
}

const LISTS: Record<AccountList, { table: string; owner: string; other: string }> = {
  followers: { table: "follows", owner: "target_account_id", other: "account_id" },
  following: { table: "follows", owner: "account_id", other: "target_account_id" },
  blocks: { table: "blocks", owner: "account_id", other: "target_account_id" },
  follow_requests: { table: "follow_requests", owner: "target_account_id", other: "account_id" },
  endorsements: { table: "account_pins", owner: "account_id", other: "target_account_id" },
};

/** The id window of a page, and its order: `min_id` pages forward (ascending, reversed by the caller). */
function window(page: RowPage): { where: RawBuilder<unknown>; ascending: boolean } {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (page.maxId !== undefined) parts.push(sql`r.id < ${page.maxId}`);
  if (page.minId !== undefined) parts.push(sql`r.id > ${page.minId}`);
  else if (page.sinceId !== undefined) parts.push(sql`r.id > ${page.sinceId}`);
  return { where: sql.join(parts, sql` and `), ascending: page.minId !== undefined };
}

function ordered<T>(rows: T[], ascending: boolean): T[] {
  return ascending ? rows.reverse() : rows;
}

/** A page of one account's relationship list, joined to accounts to leave out suspended ones. */
export async function listAccounts(db: Kysely<Tables>, list: AccountList, owner: bigint, page: RowPage, filter?: ListFilter): Promise<ListedAccount[]> {
  const spec = LISTS[list];
  const other = sql.ref(`r.${spec.other}`);
  const { where, ascending } = window(page);
  const exclusion = filter
    ? sql`and not exists (select 1 from blocks b where b.account_id = ${filter.excludeFor} and b.target_account_id = ${other})
          and not exists (select 1 from blocks b where b.account_id = ${other} and b.target_account_id = ${filter.excludeFor})
          and not exists (select 1 from mutes m where m.account_id = ${filter.excludeFor} and m.target_account_id = ${other}
                          and (m.expires_at is null or m.expires_at > ${filter.now}))`
    : sql``;
  const { rows } = await sql<{ id: Id; other: Id }>`
    select r.id as id, ${other} as other from ${sql.table(spec.table)} r
    inner join accounts a on a.id = ${other}
    where ${sql.ref(`r.${spec.owner}`)} = ${owner} and a.suspended_at is null and ${where} ${exclusion}
    order by r.id ${ascending ? sql`asc` : sql`desc`} limit ${page.limit}`.execute(db);
  return ordered(rows.map((r) => ({ rowId: toId(r.id), accountId: toId(r.other) })), ascending);
}

/** A page of unexpired mutes. */
export async function listMutes(db: Kysely<Tables>, owner: bigint, page: RowPage, now: number): Promise<ListedMute[]> {
  const { where, ascending } = window(page);
  const { rows } = await sql<{ id: Id; other: Id; expires_at: Id | null }>`
    select r.id as id, r.target_account_id as other, r.expires_at as expires_at from mutes r
    inner join accounts a on a.id = r.target_account_id
    where r.account_id = ${owner} and a.suspended_at is null and (r.expires_at is null or r.expires_at > ${now}) and ${where}
    order by r.id ${ascending ? sql`asc` : sql`desc`} limit ${page.limit}`.execute(db);
  return ordered(rows.map((r) => ({ rowId: toId(r.id), accountId: toId(r.other), expiresAt: toNumOrNull(r.expires_at) })), ascending);
}

/** A page of one account's blocked domains. */
export async function listDomainBlocks(db: Kysely<Tables>, owner: bigint, page: RowPage): Promise<{ rowId: bigint; domain: string }[]> {
  const { where, ascending } = window(page);
  const { rows } = await sql<{ id: Id; domain: string }>`
    select r.id as id, r.domain as domain from account_domain_blocks r
    where r.account_id = ${owner} and ${where}
    order by r.id ${ascending ? sql`asc` : sql`desc`} limit ${page.limit}`.execute(db);
  return ordered(rows.map((r) => ({ rowId: toId(r.id), domain: r.domain })), ascending);
}

/** Followers of each target that the viewer follows; targets and followers that hide their network are left out. */
export async function familiarFollowers(db: Kysely<Tables>, viewer: bigint, targetIds: readonly bigint[]): Promise<Map<bigint, bigint[]>> {
  const out = new Map<bigint, bigint[]>();
  for (const id of targetIds) out.set(id, []);
  if (targetIds.length === 0) return out;
  const { rows } = await sql<{ t: Id; a: Id }>`
    select f.target_account_id as t, f.account_id as a from follows f
    inner join follows mine on mine.account_id = ${viewer} and mine.target_account_id = f.account_id
    inner join accounts fa on fa.id = f.account_id
    inner join accounts ta on ta.id = f.target_account_id
    where f.target_account_id ${inIds(db, targetIds)}
      and fa.hide_collections = ${false} and ta.hide_collections = ${false} and fa.suspended_at is null
    order by f.id desc`.execute(db);
  for (const row of rows) out.get(toId(row.t))?.push(toId(row.a));
  return out;
}
