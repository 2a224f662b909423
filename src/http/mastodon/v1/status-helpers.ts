import type { Context } from "hono";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import { applyFilters, type FilterContext } from "../../../services/filters/apply-filters.ts";
import type { StatusDeps, StatusError } from "../../../services/statuses/deps.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps } from "../context.ts";
import { setPageLinks } from "../pagination.ts";
import { renderStatus, type StatusBundle, type StatusRenderContext } from "../serializers/status.ts";

/** Status services' dependencies from the API's. */
export function statusDeps(deps: ApiDeps): StatusDeps {
  return { db: deps.db, cache: deps.cache, clock: deps.clock, localDomain: deps.instance.localDomain };
}

/** Rendering settings for status entities. */
export function statusContext(deps: ApiDeps): StatusRenderContext {
  return { baseUrl: deps.instance.baseUrl, mediaUrl: (key) => deps.media.url(key), localDomain: deps.instance.localDomain };
}

/** Turns a refused status change into Mastodon's status and message. */
export function statusFailure(error: StatusError): never {
  switch (error.kind) {
    case "not_found":
      throw new HttpError(404, "Record not found");
    case "conflict":
      throw new HttpError(409, error.message);
    case "invalid":
      throw new HttpError(422, error.message);
  }
}

/** Loads what a page of statuses refers to (authors, mentions, applications, the viewer's pins) in four queries. */
export async function loadBundle(deps: ApiDeps, statuses: readonly StatusRecord[], viewerId: bigint | null): Promise<StatusBundle> {
  const repos = deps.db.repos;
  const ids = statuses.map((s) => s.id);
  const mentions = await repos.statuses.mentionsOf(ids);
  const accountIds = new Set<bigint>(statuses.map((s) => s.accountId));
  for (const list of mentions.values()) for (const id of list) accountIds.add(id);
  const appIds = [...new Set(statuses.map((s) => s.applicationId).filter((id): id is bigint => id !== null))];
  const [accounts, applications, pinned] = await Promise.all([
    repos.accounts.findByIds([...accountIds]),
    repos.statuses.applicationsOf(appIds),
    viewerId === null ? Promise.resolve(new Set<bigint>()) : repos.statuses.pinnedAmong(viewerId, ids.filter((_, i) => statuses[i].accountId === viewerId)),
  ]);
  return { accounts: new Map(accounts.map((a) => [a.id, a])), mentions, applications, viewerId, pinned };
}

/** One status as JSON, for `viewerId`. */
export async function statusJson(deps: ApiDeps, status: StatusRecord, viewerId: bigint | null, withSource = false): Promise<Record<string, unknown>> {
  const rendered = renderStatus(statusContext(deps), status, await loadBundle(deps, [status], viewerId), withSource);
  if (!rendered) throw new HttpError(404, "Record not found");
  return rendered;
}

/**
 * A page of statuses (newest first) with its Link header. The viewer's filters for `context` apply: `hide`
 * leaves a status out (the links still page over it, as Mastodon's do), `warn` and `blur` fill `filtered`.
 */
export async function statusPageResponse(
  c: Context,
  deps: ApiDeps,
  statuses: readonly StatusRecord[],
  viewerId: bigint | null,
  context: FilterContext,
): Promise<Response> {
  setPageLinks(c, deps.instance.baseUrl, statuses.length > 0 ? { newest: statuses[0].id, oldest: statuses[statuses.length - 1].id } : null);
  const verdicts = await applyFilters(deps, viewerId, context, statuses);
  const shown = verdicts.hidden.size === 0 ? statuses : statuses.filter((s) => !verdicts.hidden.has(s.id));
  const ctx = statusContext(deps);
  const bundle = await loadBundle(deps, shown, viewerId);
  return c.json(shown.map((s) => renderStatus(ctx, s, bundle)).filter((s) => s !== null));
}
