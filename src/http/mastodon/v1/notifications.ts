import type { Hono } from "hono";
import { clearNotifications, dismissNotification } from "../../../services/notifications/manage-notifications.ts";
import {
  findNotification,
  listNotifications,
  UNREAD_COUNT,
  unreadCount,
  type NotificationsView,
} from "../../../services/notifications/read-notifications.ts";
import {
  acceptRequests,
  dismissRequests,
  findRequest,
  listRequests,
  requestsMerged,
  type RequestsView,
} from "../../../services/notifications/requests.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage, setPageLinks } from "../pagination.ts";
import { readParams } from "../params.ts";
import { renderNotification, renderRequest } from "../serializers/notification.ts";
import { idParam, renderContext, withMovedTargets } from "./account-helpers.ts";
import { notificationDeps, readIds, readNotificationFilter, renderStatusMap } from "./notification-helpers.ts";

const NOTIFICATION_PAGE = { limit: 40, max: 80 };
const REQUEST_PAGE = { limit: 40, max: 80 };

/** Renders notifications with the page's statuses loaded at once. */
export async function renderNotifications(deps: ApiDeps, viewerId: bigint, view: NotificationsView): Promise<Record<string, unknown>[]> {
  const [statuses, ctx] = await Promise.all([
    renderStatusMap(deps, view.statuses.values(), viewerId, view.filtered),
    withMovedTargets(deps, renderContext(deps), view.accounts.values()),
  ]);
  const out: Record<string, unknown>[] = [];
  for (const n of view.notifications) {
    const from = view.accounts.get(n.fromAccountId);
    const status = n.statusId === null ? undefined : statuses.get(n.statusId);
    if (!from || (n.statusId !== null && !status)) continue;
    out.push(renderNotification(ctx, n, from, status));
  }
  return out;
}

async function renderRequests(deps: ApiDeps, viewerId: bigint, view: RequestsView): Promise<Record<string, unknown>[]> {
  const [statuses, ctx] = await Promise.all([
    renderStatusMap(deps, view.statuses.values(), viewerId, new Map()),
    withMovedTargets(deps, renderContext(deps), view.accounts.values()),
  ]);
  return view.requests.map((r) =>
    renderRequest(ctx, r, view.accounts.get(r.fromAccountId)!, r.lastStatusId === null ? null : (statuses.get(r.lastStatusId) ?? null)),
  );
}

/**
 * Notifications (v1): the list, one notification, dismissing and clearing, the unread count against the
 * notifications marker, and notification requests (what the policy filtered, per sender).
 */
export function mountNotifications(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = notificationDeps(deps);
  const active = requireActiveUser(deps);
  const read = requireScope("read:notifications");
  const write = requireScope("write:notifications");

  app.get("/api/v1/notifications", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const params = await readParams(c);
    const { view, rawKeys } = await listNotifications(services, viewer, readNotificationFilter(params), readPage(c, NOTIFICATION_PAGE));
    // The links page over what the query met, so notifications left out (hidden statuses) do not stall paging.
    setPageLinks(c, deps.instance.baseUrl, rawKeys);
    return c.json(await renderNotifications(deps, viewer, view));
  });

  app.get("/api/v1/notifications/unread_count", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const params = await readParams(c);
    const { limit } = readPage(c, UNREAD_COUNT);
    return c.json({ count: await unreadCount(services, viewer, readNotificationFilter(params), limit) });
  });

  app.post("/api/v1/notifications/clear", write, active, async (c) => {
    await clearNotifications(services, currentAccountId(c.get("auth")));
    return c.json({});
  });

  app.get("/api/v1/notifications/requests", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const result = await listRequests(services, viewer, readPage(c, REQUEST_PAGE));
    setPageLinks(c, deps.instance.baseUrl, result.rawKeys);
    return c.json(await renderRequests(deps, viewer, result));
  });

  app.get("/api/v1/notifications/requests/merged", read, async (c) => {
    return c.json({ merged: await requestsMerged(services, currentAccountId(c.get("auth"))) });
  });

  for (const [action, run] of [["accept", acceptRequests], ["dismiss", dismissRequests]] as const) {
    app.post(`/api/v1/notifications/requests/${action}`, write, active, async (c) => {
      await run(services, currentAccountId(c.get("auth")), readIds(await readParams(c)));
      return c.json({});
    });
    app.post(`/api/v1/notifications/requests/:id/${action}`, write, active, async (c) => {
      if ((await run(services, currentAccountId(c.get("auth")), [idParam(c)])) === 0) throw new HttpError(404, "Record not found");
      return c.json({});
    });
  }

  app.get("/api/v1/notifications/requests/:id", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const found = await findRequest(services, viewer, idParam(c));
    if (!found) throw new HttpError(404, "Record not found");
    return c.json((await renderRequests(deps, viewer, found))[0]);
  });

  app.get("/api/v1/notifications/:id", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const found = await findNotification(services, viewer, idParam(c));
    const [json] = found ? await renderNotifications(deps, viewer, found) : [];
    if (!json) throw new HttpError(404, "Record not found");
    return c.json(json);
  });

  app.post("/api/v1/notifications/:id/dismiss", write, active, async (c) => {
    if (!(await dismissNotification(services, currentAccountId(c.get("auth")), idParam(c)))) throw new HttpError(404, "Record not found");
    return c.json({});
  });
}
