import { sql, type Kysely } from "kysely";
import { parseFields, parseUserSettings, serializeFields } from "../../../domain/profile.ts";
import {
  ACTOR_TYPES,
  type ActorType,
  type AccountRecord,
  type AccountSearch,
  type ProfileChanges,
  type UserRole,
} from "../../../ports/repositories/accounts.ts";
import type { UserSettings } from "../../../domain/profile.ts";
import { kyselyText } from "../dialect.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum, toNumOrNull } from "./convert.ts";

const COLUMNS = [
  "a.id", "a.username", "a.domain", "a.display_name", "a.note", "a.locked", "a.bot", "a.discoverable", "a.indexable",
  "a.hide_collections", "a.avatar_key", "a.header_key", "a.fields", "a.followers_count", "a.following_count",
  "a.statuses_count", "a.last_status_at", "a.uri", "a.url", "a.created_at", "a.updated_at", "a.suspended_at",
  "a.silenced_at", "a.memorial", "a.moved_to_account_id", "a.also_known_as", "a.actor_type", "a.fetched_at", "u.id as user_id", "u.role", "u.confirmed_at", "u.approved", "u.disabled", "u.settings",
] as const;

/** Accounts with their user (if local), selected with every column AccountRecord needs. */
export function selectAccountRecords(db: Kysely<Tables>) {
  return db.selectFrom("accounts as a").leftJoin("users as u", "u.account_id", "a.id").select(COLUMNS);
}

/** selectAccountRecords as SQL text, for runWithIds: `where "a"."id" = {0}` and the like follow it. */
export const accountRecordsText = kyselyText((db) => selectAccountRecords(db));

export type Row = Awaited<ReturnType<ReturnType<typeof selectAccountRecords>["executeTakeFirstOrThrow"]>>;

/** Converts a row of selectAccountRecords, whichever engine returned it. */
export function toAccountRecord(row: Row): AccountRecord {
  return {
    id: toId(row.id),
    username: row.username,
    domain: row.domain,
    displayName: row.display_name,
    note: row.note,
    locked: toBool(row.locked),
    bot: toBool(row.bot),
    discoverable: row.discoverable === null ? null : toBool(row.discoverable),
    indexable: toBool(row.indexable),
    hideCollections: toBool(row.hide_collections),
    avatarKey: row.avatar_key,
    headerKey: row.header_key,
    fields: parseFields(row.fields),
    followersCount: Math.max(0, toNum(row.followers_count)),
    followingCount: Math.max(0, toNum(row.following_count)),
    statusesCount: Math.max(0, toNum(row.statuses_count)),
    lastStatusAt: toNumOrNull(row.last_status_at),
    uri: row.uri,
    url: row.url,
    createdAt: toNum(row.created_at),
    updatedAt: toNum(row.updated_at),
    suspendedAt: toNumOrNull(row.suspended_at),
    silencedAt: toNumOrNull(row.silenced_at),
    memorial: toBool(row.memorial),
    user:
      row.user_id === null
        ? null
        : {
            role: (row.role ?? "user") as UserRole,
            confirmed: row.confirmed_at !== null,
            approved: toBool(row.approved ?? false),
            disabled: toBool(row.disabled ?? false),
            settings: parseUserSettings(row.settings),
          },
    movedToAccountId: row.moved_to_account_id === null ? null : toId(row.moved_to_account_id),
    alsoKnownAs: parseUriList(row.also_known_as),
    actorType: ACTOR_TYPES.includes(row.actor_type as ActorType) ? (row.actor_type as ActorType) : null,
    fetchedAt: toNumOrNull(row.fetched_at),
  };
}

/** accounts.also_known_as: a JSON array of strings; anything else counts as none. */
export function parseUriList(json: string | null): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** `%` and `_` are wildcards in LIKE; the query must match them literally. */
function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`) + "%";
}

/**
 * Local account search, the same SQL on both engines: LIKE on the lower-cased username column (indexed) and on
 * lower(display_name), at its start or after a space.
 */
export async function searchLocalAccounts(db: Kysely<Tables>, search: AccountSearch): Promise<AccountRecord[]> {
  const q = search.query.toLowerCase();
  const prefix = likePrefix(q);
  const word = "% " + prefix;
  let query = selectAccountRecords(db)
    .where("a.domain", "is", null)
    .where("a.suspended_at", "is", null)
    .where("u.confirmed_at", "is not", null)
    .where("u.approved", "=", true)
    .where((eb) =>
      eb.or([
        sql<boolean>`a.username_lower like ${prefix} escape '\\'`,
        sql<boolean>`lower(a.display_name) like ${prefix} escape '\\'`,
        sql<boolean>`lower(a.display_name) like ${word} escape '\\'`,
      ]),
    );
  if (search.followedBy !== undefined) {
    const viewer = search.followedBy;
    query = query.where((eb) =>
      eb.exists(
        eb.selectFrom("follows as f").select("f.id").where("f.account_id", "=", viewer).whereRef("f.target_account_id", "=", "a.id"),
      ),
    );
  }
  const rows = await query
    .orderBy(sql`case when a.username_lower = ${q} then 0 else 1 end`)
    .orderBy("a.followers_count", "desc")
    .orderBy("a.id")
    .limit(search.limit)
    .offset(search.offset)
    .execute();
  return rows.map(toAccountRecord);
}

/** The accounts columns a profile edit writes. */
export function profileColumns(changes: ProfileChanges): Record<string, unknown> {
  const set: Record<string, unknown> = { updated_at: changes.now };
  if (changes.displayName !== undefined) set.display_name = changes.displayName;
  if (changes.note !== undefined) set.note = changes.note;
  if (changes.locked !== undefined) set.locked = changes.locked;
  if (changes.bot !== undefined) set.bot = changes.bot;
  if (changes.discoverable !== undefined) set.discoverable = changes.discoverable;
  if (changes.indexable !== undefined) set.indexable = changes.indexable;
  if (changes.hideCollections !== undefined) set.hide_collections = changes.hideCollections;
  if (changes.fields !== undefined) set.fields = serializeFields(changes.fields);
  if (changes.avatarKey !== undefined) set.avatar_key = changes.avatarKey;
  if (changes.headerKey !== undefined) set.header_key = changes.headerKey;
  return set;
}

/** users.settings as stored. */
export function settingsJson(settings: UserSettings): string {
  return JSON.stringify(settings);
}
