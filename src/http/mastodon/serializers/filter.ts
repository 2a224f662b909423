import type { FilterKeywordRecord, FilterRecord, FilterStatusRecord, FilterWithRules } from "../../../ports/repositories/filters.ts";
import { filterSummaryEntity } from "../../../services/filters/filter-entities.ts";

/** Mastodon's FilterKeyword entity. */
export function renderFilterKeyword(k: FilterKeywordRecord): Record<string, unknown> {
  return { id: String(k.id), keyword: k.keyword, whole_word: k.wholeWord };
}

/** Mastodon's FilterStatus entity. */
export function renderFilterStatus(s: FilterStatusRecord): Record<string, unknown> {
  return { id: String(s.id), status_id: String(s.statusId) };
}

/** Mastodon's Filter entity with its keywords and statuses (the v2 filters API). */
export function renderFilter(f: FilterWithRules): Record<string, unknown> {
  return { ...filterSummaryEntity(f), keywords: f.keywords.map(renderFilterKeyword), statuses: f.statuses.map(renderFilterStatus) };
}

/** Mastodon's V1::Filter entity: one keyword seen with its filter's settings; `irreversible` is the hide action. */
export function renderV1Filter(keyword: FilterKeywordRecord, filter: FilterRecord): Record<string, unknown> {
  return {
    id: String(keyword.id),
    phrase: keyword.keyword,
    context: [...filter.context],
    whole_word: keyword.wholeWord,
    expires_at: filter.expiresAt === null ? null : new Date(filter.expiresAt).toISOString(),
    irreversible: filter.action === "hide",
  };
}
