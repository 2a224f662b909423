import type { Context, Hono } from "hono";
import type { Visibility } from "../../../domain/profile.ts";
import type { Result } from "../../../domain/result.ts";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import { bookmarksPage, bookmarkStatus, unbookmarkStatus } from "../../../services/statuses/bookmark.ts";
import type { StatusDeps, StatusError } from "../../../services/statuses/deps.ts";
import { editStatus, statusHistory } from "../../../services/statuses/edit-status.ts";
import { favouritedByPage, favouritesPage, favouriteStatus, unfavouriteStatus, type SavedStatusesPage } from "../../../services/statuses/favourite.ts";
import { muteConversation, unmuteConversation } from "../../../services/statuses/mute-conversation.ts";
import { findVisibleStatus } from "../../../services/statuses/read-statuses.ts";
import { REBLOG_VISIBILITIES, rebloggedByPage, reblogStatus, unreblogStatus } from "../../../services/statuses/reblog.ts";
import { statusThread } from "../../../services/statuses/status-context.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage, type PageParams } from "../pagination.ts";
import { bool, list, readParams, str } from "../params.ts";
import { renderStatusEdit, renderStatusSource } from "../serializers/status.ts";
import { accountPageResponse, idParam, scopeIfToken, viewerOf } from "./account-helpers.ts";
import { emojiEntities } from "./emoji-helpers.ts";
import { mediaAttributesParam } from "./media.ts";
import { pollParam } from "./poll-helpers.ts";
import { loadBundle, renderStatusList, statusContext, statusDeps, statusFailure, statusJson, statusPageResponse } from "./status-helpers.ts";

const STATUS_PAGE = { limit: 20, max: 40 };
const ACCOUNT_PAGE = { limit: 40, max: 80 };

type Change = (deps: StatusDeps, accountId: bigint, statusId: bigint) => Promise<Result<StatusRecord, StatusError>>;

/** The optional `visibility` of a boost: public, unlisted or private; empty means the account's default. */
function reblogVisibility(raw: string | undefined): Visibility | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!(REBLOG_VISIBILITIES as readonly string[]).includes(raw)) throw new HttpError(422, "Validation failed: Visibility is not included in the list");
  return raw as Visibility;
}

/**
 * What accounts do to statuses: favourite, boost, bookmark, mute the conversation, edit; who favourited and
 * boosted; the viewer's favourites and bookmarks; edit history and source; the thread around a status. Each
 * write answers the Status as it stands afterwards (for a boost, the boost). Statuses the viewer may not see
 * are "Record not found".
 */
export function mountStatusActions(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = statusDeps(deps);
  const active = requireActiveUser(deps);

  const actions: [string, string, Change][] = [
    ["favourite", "write:favourites", favouriteStatus],
    ["unfavourite", "write:favourites", unfavouriteStatus],
    ["unreblog", "write:statuses", unreblogStatus],
    ["bookmark", "write:bookmarks", bookmarkStatus],
    ["unbookmark", "write:bookmarks", unbookmarkStatus],
    ["mute", "write:mutes", muteConversation],
    ["unmute", "write:mutes", unmuteConversation],
  ];
  for (const [action, scope, change] of actions) {
    app.post(`/api/v1/statuses/:id/${action}`, requireScope(scope), active, async (c) => {
      const viewer = currentAccountId(c.get("auth"));
      const result = await change(services, viewer, idParam(c));
      if (!result.ok) statusFailure(result.error);
      return c.json(await statusJson(deps, result.value, viewer));
    });
  }

  app.post("/api/v1/statuses/:id/reblog", requireScope("write:statuses"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const visibility = reblogVisibility(str(await readParams(c), "visibility"));
    const result = await reblogStatus(services, viewer, idParam(c), visibility);
    if (!result.ok) statusFailure(result.error);
    return c.json(await statusJson(deps, result.value, viewer));
  });

  for (const [path, page] of [["favourited_by", favouritedByPage], ["reblogged_by", rebloggedByPage]] as const) {
    app.get(`/api/v1/statuses/:id/${path}`, scopeIfToken("read:accounts"), async (c) => {
      const found = await page(services, viewerOf(c), idParam(c), readPage(c, ACCOUNT_PAGE));
      if (!found) throw new HttpError(404, "Record not found");
      return accountPageResponse(c, deps, found);
    });
  }

  const saved = async (c: Context<ApiEnv>, load: (deps: StatusDeps, accountId: bigint, page: PageParams) => Promise<SavedStatusesPage>) => {
    const viewer = currentAccountId(c.get("auth"));
    const { rows, statuses } = await load(services, viewer, readPage(c, STATUS_PAGE));
    const keys = rows.length > 0 ? { newest: rows[0].rowId, oldest: rows[rows.length - 1].rowId } : null;
    // Mastodon applies no filter context to these lists; "account" is the nearest of Herd's.
    return statusPageResponse(c, deps, statuses, viewer, "account", keys);
  };
  app.get("/api/v1/favourites", requireScope("read:favourites"), (c) => saved(c, favouritesPage));
  app.get("/api/v1/bookmarks", requireScope("read:bookmarks"), (c) => saved(c, bookmarksPage));

  app.put("/api/v1/statuses/:id", requireScope("write:statuses"), active, async (c) => {
    const params = await readParams(c);
    const viewer = currentAccountId(c.get("auth"));
    const result = await editStatus(services, {
      accountId: viewer,
      statusId: idParam(c),
      text: str(params, "status"),
      spoilerText: str(params, "spoiler_text"),
      sensitive: bool(params, "sensitive"),
      language: str(params, "language"),
      // Mastodon's edit replaces the poll with the one sent: none sent removes it.
      poll: pollParam(params) ?? null,
      mediaIds: list(params, "media_ids").filter((id) => id !== ""),
      mediaAttributes: mediaAttributesParam(params),
    });
    if (!result.ok) statusFailure(result.error);
    return c.json(await statusJson(deps, result.value, viewer));
  });

  app.get("/api/v1/statuses/:id/history", scopeIfToken("read:statuses"), async (c) => {
    const viewer = viewerOf(c);
    const history = await statusHistory(services, viewer, idParam(c));
    if (!history) throw new HttpError(404, "Record not found");
    const mediaIds = [...new Set(history.edits.flatMap((e) => e.mediaAttachmentIds ?? []))];
    // A remote post's revisions name its server's emojis, stored under the author's domain.
    const author = history.status.uri === null ? null : await deps.db.repos.accounts.findById(history.status.accountId);
    const texts = history.edits.map((e) => `${e.text}\n${e.spoilerText}\n${(e.pollOptions ?? []).join("\n")}`);
    const [bundle, media, emojis] = await Promise.all([
      loadBundle(deps, [history.status], viewer),
      deps.db.repos.media.findByIds(mediaIds),
      // Older revisions may use emojis the current text no longer does.
      emojiEntities(deps, author?.domain ? [] : texts, author?.domain ? [{ domain: author.domain, texts }] : []),
    ]);
    const byId = new Map(media.map((m) => [m.id, m]));
    const revisionBundle = { ...bundle, emojis: new Map([...(bundle.emojis ?? []), ...emojis]) };
    const ctx = statusContext(deps);
    return c.json(
      history.edits
        .map((e) => renderStatusEdit(ctx, history.status, e, revisionBundle, (e.mediaAttachmentIds ?? []).flatMap((id) => byId.get(id) ?? [])))
        .filter((e) => e !== null),
    );
  });

  app.get("/api/v1/statuses/:id/source", requireScope("read:statuses"), async (c) => {
    const found = await findVisibleStatus(services, idParam(c), viewerOf(c));
    if (!found) throw new HttpError(404, "Record not found");
    return c.json(renderStatusSource(found.status));
  });

  app.get("/api/v1/statuses/:id/context", scopeIfToken("read:statuses"), async (c) => {
    const viewer = viewerOf(c);
    const thread = await statusThread(services, viewer, idParam(c));
    if (!thread) throw new HttpError(404, "Record not found");
    const [ancestors, descendants] = await Promise.all([
      renderStatusList(deps, thread.ancestors, viewer, "thread"),
      renderStatusList(deps, thread.descendants, viewer, "thread"),
    ]);
    return c.json({ ancestors, descendants });
  });
}
