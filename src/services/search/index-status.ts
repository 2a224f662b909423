import type { Database } from "../../ports/database.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { SearchIndex } from "../../ports/search.ts";

/** What keeping the search index current needs. */
export interface SearchIndexDeps {
  readonly db: Database;
  readonly search: SearchIndex;
}

/**
 * The indexStatusJob: a status that exists is (re)indexed with its content warning and text; a deleted status
 * or a boost (which has no text of its own) leaves the index. Safe to run any number of times.
 */
export async function refreshSearchEntry(deps: SearchIndexDeps, statusId: bigint, loaded?: StatusRecord): Promise<void> {
  // `loaded`: the row as the caller just read it (the fan-out job), spared a second read.
  const status = loaded?.id === statusId ? loaded : await deps.db.repos.statuses.findById(statusId);
  if (!status || status.reblogOfId !== null) return deps.search.remove(statusId);
  // Remote statuses store sanitized HTML (local ones have no uri and store plain text): index the words only.
  const text = status.uri === null ? status.text : status.text.replace(/<[^>]*>/g, " ");
  await deps.search.index(status.id, [status.spoilerText, text].filter((t) => t !== "").join("\n"));
}
