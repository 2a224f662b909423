import type { Context, Hono } from "hono";
import { parseId } from "../../../domain/ids.ts";
import type { ScheduledStatusRecord } from "../../../ports/repositories/scheduled-statuses.ts";
import type { PostStatusInput } from "../../../services/statuses/post-status.ts";
import {
  cancelScheduledStatus,
  findScheduledStatus,
  rescheduleStatus,
  scheduleStatus,
} from "../../../services/scheduled/schedule-status.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage, setPageLinks } from "../pagination.ts";
import { list, readParams, str, type Params } from "../params.ts";
import { renderMediaAttachment } from "../serializers/media-attachment.ts";
import { renderScheduledStatus, scheduledStatusJson } from "../serializers/scheduled-status.ts";
import { idParam } from "./account-helpers.ts";
import { statusContext, statusDeps, statusFailure } from "./status-helpers.ts";

const PAGE = { limit: 20, max: 40 };

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * A `scheduled_at` value as Ruby's to_datetime reads the ISO 8601 forms clients send: a date alone is
 * midnight UTC, a time without a zone is UTC. Undefined when absent or empty (JSON null); null when it is
 * not a date.
 */
export function parseScheduledAt(raw: string | undefined): number | null | undefined {
  const text = raw?.trim();
  if (text === undefined || text === "") return undefined;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  let zone = m[3] ?? "Z";
  if (/^[+-]\d{2}$/.test(zone)) zone += ":00";
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${(m[2] ?? "00:00:00").replace(",", ".")}${zone.toUpperCase()}`);
  return Number.isFinite(ms) ? ms : null;
}

/** ScheduledStatus entities with their `media_attachments`: one query for the uploads of the whole page. */
async function renderScheduled(deps: ApiDeps, rows: readonly ScheduledStatusRecord[]): Promise<Record<string, unknown>[]> {
  const ids = [...new Set(rows.flatMap((s) => (s.params.media_ids ?? []).map((id) => parseId(id)).filter((id): id is bigint => id !== null)))];
  const media = new Map((await deps.db.repos.media.findByIds(ids)).map((m) => [String(m.id), m]));
  const ctx = statusContext(deps);
  return rows.map((s) =>
    renderScheduledStatus(
      s,
      (s.params.media_ids ?? []).flatMap((id) => {
        const m = media.get(id);
        return m && m.accountId === s.accountId ? [renderMediaAttachment(ctx, m)] : [];
      }),
    ),
  );
}

/** A JSON response whose marked ids render as integers (see scheduledStatusJson). */
function scheduledResponse(c: Context, value: unknown): Response {
  return c.body(scheduledStatusJson(value), 200, { "content-type": "application/json; charset=UTF-8" });
}

/**
 * The ScheduledStatus answer to POST /api/v1/statuses with a `scheduled_at` in the future; null when there is
 * none, or it has passed (Mastodon then posts at once). A value that is no date is Mastodon's bare
 * "Record invalid".
 */
export async function scheduleFromRequest(c: Context, deps: ApiDeps, input: PostStatusInput, params: Params): Promise<Response | null> {
  const scheduledAt = parseScheduledAt(str(params, "scheduled_at"));
  if (scheduledAt === undefined) return null;
  if (scheduledAt === null) throw new HttpError(422, "Record invalid");
  if (scheduledAt <= deps.clock.now()) return null;
  const result = await scheduleStatus(statusDeps(deps), { ...input, scheduledAt, mediaIds: list(params, "media_ids") });
  if (!result.ok) statusFailure(result.error);
  return scheduledResponse(c, (await renderScheduled(deps, [result.value]))[0]);
}

/** Scheduled statuses: list, show, re-time and cancel one's own. */
export function mountScheduledStatuses(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = statusDeps(deps);
  const active = requireActiveUser(deps);

  app.get("/api/v1/scheduled_statuses", requireScope("read:statuses"), async (c) => {
    const accountId = currentAccountId(c.get("auth"));
    const rows = await deps.db.repos.scheduledStatuses.listByAccount(accountId, readPage(c, PAGE));
    setPageLinks(c, deps.instance.baseUrl, rows.length > 0 ? { newest: rows[0].id, oldest: rows[rows.length - 1].id } : null);
    return scheduledResponse(c, await renderScheduled(deps, rows));
  });

  app.get("/api/v1/scheduled_statuses/:id", requireScope("read:statuses"), async (c) => {
    const found = await findScheduledStatus(deps, currentAccountId(c.get("auth")), idParam(c));
    if (!found) throw new HttpError(404, "Record not found");
    return scheduledResponse(c, (await renderScheduled(deps, [found]))[0]);
  });

  app.put("/api/v1/scheduled_statuses/:id", requireScope("write:statuses"), active, async (c) => {
    const params = await readParams(c);
    const scheduledAt = parseScheduledAt(str(params, "scheduled_at"));
    if (scheduledAt === null) throw new HttpError(422, "Validation failed: Scheduled at The scheduled date must be in the future");
    const result = await rescheduleStatus(services, currentAccountId(c.get("auth")), idParam(c), scheduledAt);
    if (!result.ok) statusFailure(result.error);
    return scheduledResponse(c, (await renderScheduled(deps, [result.value]))[0]);
  });

  app.delete("/api/v1/scheduled_statuses/:id", requireScope("write:statuses"), active, async (c) => {
    const result = await cancelScheduledStatus(deps, currentAccountId(c.get("auth")), idParam(c));
    if (!result.ok) statusFailure(result.error);
    return c.json({});
  });
}
