import type { FilterRecord } from "../../ports/repositories/filters.ts";
import type { FilterMatch } from "./filter-match.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** Mastodon's Filter entity without its rules, as a FilterResult carries it (keywords and statuses omitted). */
export function filterSummaryEntity(f: FilterRecord): Record<string, unknown> {
  return {
    id: String(f.id),
    title: f.title,
    context: [...f.context],
    expires_at: f.expiresAt === null ? null : iso(f.expiresAt),
    filter_action: f.action,
  };
}

/** Mastodon's FilterResult entity, for a status's `filtered`. */
export function filterResultEntity(m: FilterMatch): Record<string, unknown> {
  return {
    filter: filterSummaryEntity(m.filter),
    keyword_matches: m.keywordMatches === null ? null : [...m.keywordMatches],
    status_matches: m.statusMatches === null ? null : m.statusMatches.map(String),
  };
}
