import type { Hono } from "hono";
import { parseId } from "../../../domain/ids.ts";
import { deleteStatus } from "../../../services/statuses/delete-status.ts";
import { pinStatus, unpinStatus } from "../../../services/statuses/pin-status.ts";
import { postStatusStored, type PostStatusInput } from "../../../services/statuses/post-status.ts";
import { accountStatuses, findVisibleStatus } from "../../../services/statuses/read-statuses.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { bool, list, readParams, str, type Params } from "../params.ts";
import { accountParam, idParam, scopeIfToken, viewerOf } from "./account-helpers.ts";
import { pollParam } from "./poll-helpers.ts";
import { scheduleFromRequest } from "./scheduled-statuses.ts";
import { justPosted, statusDeps, statusFailure, statusJson, statusPageResponse } from "./status-helpers.ts";

const STATUS_PAGE = { limit: 20, max: 40 };

/** `in_reply_to_id`: absent or empty means none; anything that is not an id names no status (404). */
function replyTarget(params: Params): bigint | undefined {
  const raw = str(params, "in_reply_to_id");
  if (raw === undefined || raw === "") return undefined;
  const id = parseId(raw);
  if (id === null) throw new HttpError(404, "Record not found");
  return id;
}

/**
 * Statuses: post (with a poll, or scheduled for later), show, delete, pin and unpin, and an account's statuses.
 */
export function mountStatuses(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = statusDeps(deps);
  const active = requireActiveUser(deps);

  app.post("/api/v1/statuses", requireScope("write:statuses"), active, async (c) => {
    const params = await readParams(c);
    const auth = c.get("auth")!;
    const input: PostStatusInput = {
      accountId: currentAccountId(auth),
      applicationId: auth.applicationId,
      text: str(params, "status"),
      spoilerText: str(params, "spoiler_text"),
      sensitive: bool(params, "sensitive"),
      visibility: str(params, "visibility"),
      language: str(params, "language"),
      inReplyToId: replyTarget(params),
      idempotencyKey: c.req.header("idempotency-key") || undefined,
      poll: pollParam(params),
      mediaIds: list(params, "media_ids"),
    };
    const scheduled = await scheduleFromRequest(c, deps, input, params);
    if (scheduled) return scheduled;
    const result = await postStatusStored(services, input, c.get("actingAccount"));
    if (!result.ok) statusFailure(result.error);
    const { stored } = result.value;
    const status = stored?.status ?? (await services.db.repos.statuses.findById(result.value.id));
    if (!status) throw new HttpError(404, "Record not found");
    return c.json(await statusJson(deps, status, auth.accountId, false, stored ? justPosted(stored, input.accountId) : {}));
  });

  app.get("/api/v1/statuses/:id", scopeIfToken("read:statuses"), async (c) => {
    const viewer = viewerOf(c);
    const found = await findVisibleStatus(services, idParam(c), viewer);
    if (!found) throw new HttpError(404, "Record not found");
    return c.json(await statusJson(deps, found.status, viewer));
  });

  app.delete("/api/v1/statuses/:id", requireScope("write:statuses"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const result = await deleteStatus(services, viewer, idParam(c));
    if (!result.ok) statusFailure(result.error);
    return c.json(await statusJson(deps, result.value, viewer, true));
  });

  for (const [action, change] of [["pin", pinStatus], ["unpin", unpinStatus]] as const) {
    app.post(`/api/v1/statuses/:id/${action}`, requireScope("write:accounts"), active, async (c) => {
      const viewer = currentAccountId(c.get("auth"));
      const result = await change(services, viewer, idParam(c));
      if (!result.ok) statusFailure(result.error);
      return c.json(await statusJson(deps, result.value, viewer));
    });
  }

  app.get("/api/v1/accounts/:id/statuses", scopeIfToken("read:statuses"), async (c) => {
    const author = await accountParam(c, deps);
    const params = await readParams(c);
    const viewer = viewerOf(c);
    const statuses = await accountStatuses(services, author, viewer, {
      ...readPage(c, STATUS_PAGE),
      excludeReplies: bool(params, "exclude_replies") ?? false,
      excludeReblogs: bool(params, "exclude_reblogs") ?? false,
      onlyMedia: bool(params, "only_media") ?? false,
      pinned: bool(params, "pinned") ?? false,
    });
    return statusPageResponse(c, deps, statuses, viewer, "account");
  });
}
