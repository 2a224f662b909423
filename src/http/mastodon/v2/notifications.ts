import type { Hono } from "hono";
import { findGroup, groupAccounts, groupedNotifications, type GroupedView } from "../../../services/notifications/grouped-notifications.ts";
import { dismissGroup } from "../../../services/notifications/manage-notifications.ts";
import { getPolicy, isPolicyAction, POLICY_FIELDS, updatePolicy, type PolicyField, type PolicyView } from "../../../services/notifications/policy.ts";
import { UNREAD_COUNT, unreadGroupCount } from "../../../services/notifications/read-notifications.ts";
import type { PolicyAction } from "../../../ports/repositories/notifications.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage, setPageLinks } from "../pagination.ts";
import { readParams, str } from "../params.ts";
import { renderAccount } from "../serializers/account.ts";
import { int64Json, renderNotificationGroup, renderPartialAccount, renderPolicy } from "../serializers/notification.ts";
import { renderContext, withMovedTargets } from "../v1/account-helpers.ts";
import { notificationDeps, rawJson, readGroupedTypes, readNotificationFilter, renderStatusMap } from "../v1/notification-helpers.ts";

/** Mastodon's v2 defaults: 40 groups a page, at most 80. */
const GROUP_PAGE = { limit: 40, max: 80 };
const ACCOUNT_PAGE = { limit: 40, max: 80 };

/**
 * GroupedNotificationsResults. With `partial`, only each group's most recent sender is a full Account; the
 * other sample accounts are PartialAccountWithAvatar entities in `partial_accounts`.
 */
async function renderGrouped(deps: ApiDeps, viewerId: bigint, result: GroupedView, partial: boolean): Promise<Record<string, unknown>> {
  const statuses = await renderStatusMap(deps, result.view.statuses.values(), viewerId, result.view.filtered);
  const groups = result.groups.filter((g) => g.head.statusId === null || statuses.has(g.head.statusId));
  const full: bigint[] = [];
  const others: bigint[] = [];
  for (const g of groups)
    g.sampleAccountIds.forEach((id, i) => {
      if (!partial || i === 0) full.includes(id) || full.push(id);
      else others.includes(id) || others.push(id);
    });
  const accounts = full.map((id) => result.accounts.get(id)).filter((a) => a !== undefined);
  const ctx = await withMovedTargets(deps, renderContext(deps), accounts);
  const body: Record<string, unknown> = {
    accounts: accounts.map((a) => renderAccount(ctx, a)),
    statuses: [...new Set(groups.map((g) => g.head.statusId).filter((id) => id !== null))].map((id) => statuses.get(id)!),
    notification_groups: groups.map(renderNotificationGroup),
  };
  if (partial)
    body.partial_accounts = others
      .filter((id) => !full.includes(id))
      .map((id) => result.accounts.get(id))
      .filter((a) => a !== undefined)
      .map((a) => renderPartialAccount(ctx, a));
  return body;
}

function policyJson(view: PolicyView): Record<string, unknown> {
  return renderPolicy(view.policy, view.pendingRequests, view.pendingNotifications);
}

/**
 * Grouped notifications (v2): the grouped list, one group, its accounts, dismissing a group, the unread group
 * count, and the notification policy.
 */
export function mountGroupedNotifications(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = notificationDeps(deps);
  const active = requireActiveUser(deps);
  const read = requireScope("read:notifications");
  const write = requireScope("write:notifications");

  app.get("/api/v2/notifications", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const params = await readParams(c);
    const expand = str(params, "expand_accounts") ?? "full";
    const result = await groupedNotifications(services, viewer, readNotificationFilter(params), readGroupedTypes(params), readPage(c, GROUP_PAGE));
    setPageLinks(c, deps.instance.baseUrl, result.rawKeys);
    return rawJson(c, int64Json(await renderGrouped(deps, viewer, result, expand === "partial_avatars")));
  });

  app.get("/api/v2/notifications/unread_count", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const params = await readParams(c);
    const { limit } = readPage(c, UNREAD_COUNT);
    return c.json({ count: await unreadGroupCount(services, viewer, readNotificationFilter(params), readGroupedTypes(params), limit) });
  });

  app.get("/api/v2/notifications/policy", read, async (c) => {
    return c.json(policyJson(await getPolicy(services, currentAccountId(c.get("auth")))));
  });

  app.patch("/api/v2/notifications/policy", write, active, async (c) => {
    const params = await readParams(c);
    const changes: Partial<Record<PolicyField, PolicyAction>> = {};
    for (const field of Object.keys(POLICY_FIELDS) as PolicyField[]) {
      const value = str(params, field);
      if (value === undefined) continue;
      if (!isPolicyAction(value)) throw new HttpError(422, `Validation failed: '${value}' is not a valid ${field}`);
      changes[field] = value;
    }
    return c.json(policyJson(await updatePolicy(services, currentAccountId(c.get("auth")), changes)));
  });

  app.get("/api/v2/notifications/:group_key", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const found = await findGroup(services, viewer, c.req.param("group_key"));
    if (!found) throw new HttpError(404, "Record not found");
    const body = await renderGrouped(deps, viewer, found, false);
    if ((body.notification_groups as unknown[]).length === 0) throw new HttpError(404, "Record not found");
    return rawJson(c, int64Json(body));
  });

  app.post("/api/v2/notifications/:group_key/dismiss", write, active, async (c) => {
    await dismissGroup(services, currentAccountId(c.get("auth")), c.req.param("group_key"));
    return c.json({});
  });

  // Mastodon documents write:notifications here, but its controller asks for read:notifications; a reader
  // needs only that.
  app.get("/api/v2/notifications/:group_key/accounts", read, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const { accounts, rawKeys } = await groupAccounts(services, viewer, c.req.param("group_key"), readPage(c, ACCOUNT_PAGE));
    setPageLinks(c, deps.instance.baseUrl, rawKeys);
    const ctx = await withMovedTargets(deps, renderContext(deps), accounts);
    return c.json(accounts.map((a) => renderAccount(ctx, a)));
  });
}
