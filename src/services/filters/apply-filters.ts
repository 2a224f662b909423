import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { viewerFilters } from "./filter-cache.ts";
import { filterResultEntity } from "./filter-entities.ts";
import { matchFilters, type SearchableExtras } from "./filter-match.ts";

/** Where statuses are shown, as filters v2 name the contexts. */
export type FilterContext = "home" | "notifications" | "public" | "thread" | "account";

/** Every context, in Mastodon's order (CustomFilter::VALID_CONTEXTS). */
export const FILTER_CONTEXTS: readonly FilterContext[] = ["home", "notifications", "public", "thread", "account"];

/** What the viewer's filters say about a list of statuses. */
export interface FilterVerdicts {
  /** Statuses a `hide` filter matched: leave them out. */
  readonly hidden: ReadonlySet<bigint>;
  /** Per status, the Mastodon FilterResult entities (`filtered`) of the `warn` and `blur` filters that matched. */
  readonly filtered: ReadonlyMap<bigint, readonly Record<string, unknown>[]>;
}

const NONE: FilterVerdicts = { hidden: new Set(), filtered: new Map() };

/**
 * The parts of a status matched besides its text and content warning: poll option titles and media descriptions,
 * loaded for the whole page in one query each (media only when some status has attachments).
 */
async function extrasFor(deps: { readonly db: Database }, statuses: readonly StatusRecord[]): Promise<Map<bigint, SearchableExtras>> {
  const out = new Map<bigint, SearchableExtras>();
  if (statuses.length === 0) return out;
  const mediaIds = [...new Set(statuses.flatMap((s) => s.mediaAttachmentIds ?? []))];
  const [options, media] = await Promise.all([
    deps.db.repos.polls.optionTitlesByStatus([...new Set(statuses.map((s) => s.id))]),
    mediaIds.length > 0 ? deps.db.repos.media.findByIds(mediaIds) : Promise.resolve([]),
  ]);
  const descriptions = new Map(media.filter((m) => m.description).map((m) => [m.id, m.description as string]));
  for (const s of statuses) {
    const pollOptions = options.get(s.id) ?? [];
    // In the status's attachment order, as Mastodon's ordered_media_attachments.
    const mediaDescriptions = (s.mediaAttachmentIds ?? []).map((id) => descriptions.get(id)).filter((d): d is string => d !== undefined);
    if (pollOptions.length > 0 || mediaDescriptions.length > 0) out.set(s.id, { pollOptions, mediaDescriptions });
  }
  return out;
}

/**
 * Applies the viewer's active filters for `context` to `statuses` (and the statuses they boost). Anonymous
 * viewers have none. The viewer's own statuses (and boosts of them, and their own boosts) are never filtered,
 * as in Mastodon. A boost is matched on the boosted status's text; status rules match either id. Costs one
 * cache read when `deps.cache` is given (one indexed query on a miss, or always without a cache), plus one
 * query for boosted statuses when some filter applies and the page has boosts.
 */
export async function applyFilters(
  deps: { readonly db: Database; readonly clock: Clock; readonly cache?: Cache },
  viewerId: bigint | null,
  context: FilterContext,
  statuses: readonly StatusRecord[],
): Promise<FilterVerdicts> {
  if (viewerId === null || statuses.length === 0) return NONE;
  const now = deps.clock.now();
  const filters = (await viewerFilters(deps, viewerId, now)).filter(
    (f) => f.filter.context.includes(context) && (f.filter.expiresAt === null || f.filter.expiresAt > now),
  );
  if (filters.length === 0) return NONE;

  const byId = new Map(statuses.map((s) => [s.id, s]));
  const missing = [...new Set(statuses.map((s) => s.reblogOfId).filter((id): id is bigint => id !== null && !byId.has(id)))];
  if (missing.length > 0) for (const s of await deps.db.repos.statuses.findByIds(missing)) byId.set(s.id, s);
  const propers = statuses.map((s) => (s.reblogOfId === null ? s : byId.get(s.reblogOfId)));
  // Extras only feed keywords: status rules alone need no more queries.
  const extras = filters.some((f) => f.keywords !== null)
    ? await extrasFor(deps, propers.filter((s): s is StatusRecord => s !== undefined))
    : new Map<bigint, SearchableExtras>();

  const hidden = new Set<bigint>();
  const filtered = new Map<bigint, Record<string, unknown>[]>();
  statuses.forEach((status, i) => {
    const proper = propers[i];
    // A boost of a status that is gone shows nothing to match.
    if (!proper || status.accountId === viewerId || proper.accountId === viewerId) return;
    const matches = matchFilters(filters, status, proper, extras.get(proper.id));
    if (matches.length === 0) return;
    if (matches.some((m) => m.action === "hide")) {
      hidden.add(status.id);
      return;
    }
    const results = matches.map(filterResultEntity);
    filtered.set(status.id, results);
    // The boosted status renders inside the boost and carries the same verdict, as in Mastodon's filters map.
    if (status.reblogOfId !== null) filtered.set(status.reblogOfId, results);
  });
  return { hidden, filtered };
}
