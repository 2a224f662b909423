import type { Context } from "hono";
import { parseId } from "../../../domain/ids.ts";
import type { GroupedTypes, NotificationFilter } from "../../../ports/repositories/notifications.ts";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import { typeFilter, type NotificationDeps } from "../../../services/notifications/read-notifications.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps } from "../context.ts";
import { bool, list, str, type Params } from "../params.ts";
import { renderStatus } from "../serializers/status.ts";
import { idList } from "./account-helpers.ts";
import { loadBundle, statusContext } from "./status-helpers.ts";

/** Notification services' dependencies from the API's. */
export function notificationDeps(deps: ApiDeps): NotificationDeps {
  return { db: deps.db, clock: deps.clock, cache: deps.cache };
}

/**
 * Renders statuses for one page at once (one bundle), keyed by id. `filtered` carries the viewer's `warn` and
 * `blur` filter results for the notifications context (the Status entity's `filtered`).
 */
export async function renderStatusMap(
  deps: ApiDeps,
  statuses: Iterable<StatusRecord>,
  viewerId: bigint,
  filtered: ReadonlyMap<bigint, readonly Record<string, unknown>[]>,
): Promise<Map<bigint, Record<string, unknown>>> {
  const items = [...statuses];
  const out = new Map<bigint, Record<string, unknown>>();
  if (items.length === 0) return out;
  const ctx = statusContext(deps);
  const bundle = { ...(await loadBundle(deps, items, viewerId)), filtered };
  for (const s of items) {
    const json = renderStatus(ctx, s, bundle);
    if (json) out.set(s.id, json);
  }
  return out;
}

/** types[], exclude_types[], account_id and include_filtered, as every notifications list reads them. */
export function readNotificationFilter(params: Params): NotificationFilter {
  const filter: NotificationFilter = {
    ...typeFilter(list(params, "types"), list(params, "exclude_types")),
    includeFiltered: bool(params, "include_filtered") ?? false,
  };
  const accountId = str(params, "account_id");
  if (accountId === undefined || accountId === "") return filter;
  const id = parseId(accountId);
  // An account id that names no account matches no notification.
  return { ...filter, fromAccountId: id ?? -1n };
}

/** grouped_types[]: absent or empty means Mastodon's default grouping (its `presence`); unknown names group nothing. */
export function readGroupedTypes(params: Params): GroupedTypes {
  const names = list(params, "grouped_types").filter((n) => n !== "");
  if (names.length === 0) return undefined;
  return typeFilter(names, []).types ?? [];
}

/** id[] of the bulk request methods; at least one is needed. */
export function readIds(params: Params): bigint[] {
  const ids = idList(list(params, "id"));
  if (ids.length === 0 && list(params, "id").length === 0) throw new HttpError(400, "Missing parameter: id");
  return ids;
}

/** A JSON body whose int64 placeholders become numbers (see int64Json). */
export function rawJson(c: Context, text: string): Response {
  return c.body(text, 200, { "Content-Type": "application/json; charset=UTF-8" });
}
