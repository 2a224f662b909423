import { displayHashtag, isHashtagName, normalizeHashtag } from "../../domain/status-text.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { TagDay, TagRecord, TagTimelineQuery } from "../../ports/repositories/tags.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { visibleAmong } from "../statuses/status-visibility.ts";
import { chosenLanguagesOf, type ChosenLanguagesDeps } from "../timelines/chosen-languages.ts";

/** What reading tags needs. */
export interface TagReadDeps {
  readonly db: Database;
  readonly clock: Clock;
}

const DAY_MS = 86_400_000;
/** Mastodon's Tag history covers a week. */
export const HISTORY_DAYS = 7;
/** Mastodon's TagFeed takes at most four tags from each of any[], all[] and none[]. */
const TAGS_PER_MODE = 4;
const MAX_TAG_LENGTH = 500;

/** A tag as a path or query names it (`#` allowed in front); null when it is not a valid hashtag name. */
export function tagKey(raw: string): string | null {
  const name = raw.trim().replace(/^[#＃]/, "");
  // No status can hold a longer one (500 characters), and the unique index must stay within its row limit.
  if (name.length > MAX_TAG_LENGTH || !isHashtagName(name)) return null;
  const key = normalizeHashtag(name);
  return key === "" ? null : key;
}

/** A valid tag name nobody has used yet, as Mastodon shows it (an unsaved Tag: no id, no history). */
export interface UnsavedTag {
  readonly id: null;
  readonly name: string;
  readonly nameLower: string;
}

/** The shown spelling of a tag named by a path or query. */
export function tagSpelling(raw: string): string {
  return displayHashtag(raw.trim().replace(/^[#＃]/, ""));
}

/** GET /tags/:name: the stored tag, an unsaved one for a valid new name, null for an invalid name. */
export async function showTag(deps: TagReadDeps, raw: string): Promise<TagRecord | UnsavedTag | null> {
  const key = tagKey(raw);
  if (key === null) return null;
  return (await deps.db.repos.tags.findByName(key)) ?? { id: null, name: tagSpelling(raw), nameLower: key };
}

/** The stored tag a name names, or null (unknown or invalid). */
export async function findTag(deps: TagReadDeps, raw: string): Promise<TagRecord | null> {
  const key = tagKey(raw);
  return key === null ? null : deps.db.repos.tags.findByName(key);
}

/** What the Tag entity adds to a tag for one viewer. */
export interface TagFacts {
  /** Per tag id, the last HISTORY_DAYS days, newest first, zeros included. */
  readonly history: ReadonlyMap<bigint, readonly TagDay[]>;
  /** Null for anonymous viewers (the fields are left out then). */
  readonly following: ReadonlySet<bigint> | null;
  readonly featuring: ReadonlySet<bigint> | null;
}

/** History, following and featuring for a page of tags, in three queries. */
export async function tagFacts(deps: TagReadDeps, tags: readonly TagRecord[], viewerId: bigint | null): Promise<TagFacts> {
  const ids = tags.map((t) => t.id);
  const today = Math.floor(deps.clock.now() / DAY_MS) * DAY_MS;
  const since = today - (HISTORY_DAYS - 1) * DAY_MS;
  const repo = deps.db.repos.tags;
  const [used, following, featuring] = await Promise.all([
    repo.history(ids, since),
    viewerId === null ? null : repo.followedAmong(viewerId, ids),
    viewerId === null ? null : repo.featuredAmong(viewerId, ids),
  ]);
  const history = new Map<bigint, TagDay[]>();
  for (const id of ids) {
    const days = used.get(id) ?? [];
    const week: TagDay[] = [];
    for (let i = 0; i < HISTORY_DAYS; i++) {
      const day = today - i * DAY_MS;
      week.push(days.find((d) => d.day === day) ?? { day, uses: 0, accounts: 0 });
    }
    history.set(id, week);
  }
  return { history, following, featuring };
}

export interface TagTimelineInput {
  readonly hashtag: string;
  readonly any: readonly string[];
  readonly all: readonly string[];
  readonly none: readonly string[];
  readonly local: boolean;
  readonly remote: boolean;
  readonly onlyMedia: boolean;
  readonly maxId?: bigint;
  readonly sinceId?: bigint;
  readonly minId?: bigint;
  readonly limit: number;
}

async function tagIds(deps: TagReadDeps, names: readonly string[]): Promise<bigint[]> {
  const keys = names.slice(0, TAGS_PER_MODE).map(tagKey).filter((k): k is string => k !== null);
  return (await deps.db.repos.tags.findByNames(keys)).map((t) => t.id);
}

/**
 * GET /timelines/tag/:hashtag as Mastodon's TagFeed: public original statuses with the tag (or one of `any`),
 * all of `all` and none of `none`, leaving out authors the viewer blocks, mutes or blocked, accounts that
 * blocked the viewer, suspended and unpublished accounts, and statuses in languages the viewer did not choose
 * (those without a language stay). An unknown tag has an empty timeline.
 */
export async function tagTimeline(deps: TagReadDeps & ChosenLanguagesDeps, viewerId: bigint | null, input: TagTimelineInput): Promise<StatusRecord[]> {
  const tag = await findTag(deps, input.hashtag);
  if (!tag) return [];
  const [any, none, languages] = await Promise.all([
    tagIds(deps, input.any),
    tagIds(deps, input.none),
    viewerId === null ? null : chosenLanguagesOf(deps, viewerId),
  ]);
  const allKeys = input.all.slice(0, TAGS_PER_MODE).map(tagKey).filter((k): k is string => k !== null);
  const allTags = await deps.db.repos.tags.findByNames(allKeys);
  // A tag in all[] that does not exist yet is left out, as TagFeed does (tags_for finds only existing ones).
  const query: TagTimelineQuery = {
    anyOf: [tag.id, ...any],
    allOf: allTags.map((t) => [t.id]),
    noneOf: none,
    local: input.local,
    remote: input.remote,
    onlyMedia: input.onlyMedia,
    viewerId,
    languages,
    now: deps.clock.now(),
    maxId: input.maxId,
    sinceId: input.sinceId,
    minId: input.minId,
    limit: input.limit,
  };
  // The query leaves out what the viewer excludes; the policy still has the last word on every status.
  return visibleAmong(deps, viewerId, await deps.db.repos.tags.timeline(query), { context: "feed", hideMuted: true });
}
