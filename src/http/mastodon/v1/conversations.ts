import type { Hono } from "hono";
import {
  conversationsPage,
  markConversationRead,
  removeConversation,
  type ConversationView,
} from "../../../services/timelines/conversations.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage, setPageLinks } from "../pagination.ts";
import { renderAccount } from "../serializers/account.ts";
import { renderStatus } from "../serializers/status.ts";
import { idParam } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";
import { loadBundle, statusContext } from "./status-helpers.ts";

const CONVERSATION_PAGE = { limit: 20, max: 40 };

/** Renders conversations as Mastodon's Conversation entities, loading their accounts and statuses for the page at once. */
async function renderConversations(deps: ApiDeps, viewerId: bigint, views: readonly ConversationView[]): Promise<Record<string, unknown>[]> {
  const statuses = views.map((v) => v.lastStatus).filter((s) => s !== null);
  const bundle = await loadBundle(deps, statuses, viewerId);
  // A conversation with oneself lists oneself, as Mastodon's participant_accounts falls back to the owner.
  const shownIds = (v: ConversationView) => (v.conversation.participantIds.length > 0 ? v.conversation.participantIds : [viewerId]);
  const participantIds = [...new Set(views.flatMap(shownIds))];
  const participants = new Map((await deps.db.repos.accounts.findByIds(participantIds)).map((a) => [a.id, a]));
  const actx = await accountEmojiContext(deps, [...participants.values()]);
  const sctx = statusContext(deps);
  return views.map((view) => ({
    id: String(view.conversation.id),
    unread: view.conversation.unread,
    accounts: shownIds(view)
      .map((id) => participants.get(id))
      .filter((a) => a !== undefined && a.suspendedAt === null)
      .map((a) => renderAccount(actx, a!)),
    last_status: view.lastStatus ? renderStatus(sctx, view.lastStatus, bundle) : null,
  }));
}

/** Direct-message conversations: list (paged by last status), mark read, remove. */
export function mountConversations(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);

  app.get("/api/v1/conversations", requireScope("read:statuses"), async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const views = await conversationsPage(deps, viewer, readPage(c, CONVERSATION_PAGE));
    const keys = views.map((v) => v.conversation.lastStatusId);
    setPageLinks(c, deps.instance.baseUrl, keys.length > 0 ? { newest: keys[0], oldest: keys[keys.length - 1] } : null);
    return c.json(await renderConversations(deps, viewer, views));
  });

  app.post("/api/v1/conversations/:id/read", requireScope("write:conversations"), active, async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const view = await markConversationRead(deps, viewer, idParam(c));
    if (!view) throw new HttpError(404, "Record not found");
    return c.json((await renderConversations(deps, viewer, [view]))[0]);
  });

  app.delete("/api/v1/conversations/:id", requireScope("write:conversations"), active, async (c) => {
    if (!(await removeConversation(deps, currentAccountId(c.get("auth")), idParam(c)))) throw new HttpError(404, "Record not found");
    return c.json({});
  });
}
