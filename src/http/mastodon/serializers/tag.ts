import type { FeaturedTagRecord, TagRecord } from "../../../ports/repositories/tags.ts";
import type { TagFacts, UnsavedTag } from "../../../services/tags/read-tags.ts";

/** The tag's page on this instance: `{base}/tags/{name}` with the name path-escaped. */
export function tagUrl(baseUrl: string, name: string): string {
  return `${baseUrl}/tags/${encodeURIComponent(name)}`;
}

/** A status's tag as the Status entity lists it: the shown name and the tag's page (by its normalized name). */
export function renderStatusTag(baseUrl: string, tag: TagRecord): Record<string, unknown> {
  return { name: tag.name, url: tagUrl(baseUrl, tag.nameLower) };
}

/**
 * Mastodon's Tag entity: the shown name, the page, a week of history (day as a UNIX timestamp, counts as
 * strings, newest first) and, for a signed-in viewer, `following` and `featuring`. An unsaved tag (a valid name
 * nobody used) has an empty id and a week of zeros, as Mastodon renders its unsaved Tag.
 */
export function renderTag(baseUrl: string, tag: TagRecord | UnsavedTag, facts: TagFacts, now: number): Record<string, unknown> {
  const days = tag.id === null ? undefined : facts.history.get(tag.id);
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  const week = days ?? Array.from({ length: 7 }, (_, i) => ({ day: today - i * 86_400_000, uses: 0, accounts: 0 }));
  const out: Record<string, unknown> = {
    id: tag.id === null ? "" : String(tag.id),
    name: tag.name,
    url: tagUrl(baseUrl, tag.nameLower),
    history: week.map((d) => ({ day: String(d.day / 1000), accounts: String(d.accounts), uses: String(d.uses) })),
  };
  if (facts.following !== null) out.following = tag.id !== null && facts.following.has(tag.id);
  if (facts.featuring !== null) out.featuring = tag.id !== null && (facts.featuring?.has(tag.id) ?? false);
  return out;
}

/** Mastodon's FeaturedTag entity; `url` is the author's profile (`acct`: user or user@domain) filtered by the tag. */
export function renderFeaturedTag(baseUrl: string, acct: string, featured: FeaturedTagRecord): Record<string, unknown> {
  return {
    id: String(featured.id),
    name: featured.tag.name,
    url: `${baseUrl}/@${acct}/tagged/${encodeURIComponent(featured.tag.nameLower)}`,
    statuses_count: String(featured.statusesCount),
    last_status_at: featured.lastStatusAt === null ? null : new Date(featured.lastStatusAt).toISOString().slice(0, 10),
  };
}
