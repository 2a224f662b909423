import type { Hono } from "hono";
import { emojisIn } from "../../../domain/custom-emoji.ts";
import {
  addReaction,
  dismissAnnouncement,
  listAnnouncements,
  removeReaction,
  type AnnouncementError,
} from "../../../services/announcements/announcements.ts";
import { customEmojiTable } from "../../../services/emojis/custom-emojis.ts";
import type { Result } from "../../../domain/result.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, readParams } from "../params.ts";
import { renderAnnouncement } from "../serializers/content.ts";
import { idParam } from "./account-helpers.ts";

function answer(result: Result<void, AnnouncementError>): Record<string, never> {
  if (!result.ok) {
    if (result.error.kind === "not_found") throw new HttpError(404, "Record not found");
    throw new HttpError(422, result.error.message);
  }
  return {};
}

/** Announcements: list (read:accounts), dismiss (write:accounts), react (write:favourites), as Mastodon scopes them. */
export function mountAnnouncements(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);
  const mediaUrl = (k: string) => deps.media.url(k);

  app.get("/api/v1/announcements", requireScope("read:accounts"), async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    const params = await readParams(c);
    const [views, table] = await Promise.all([listAnnouncements(deps, viewer, bool(params, "with_dismissed") ?? false), customEmojiTable(deps)]);
    const byId = new Map([...table.values()].map((e) => [e.id, e]));
    return c.json(views.map((v) => renderAnnouncement(mediaUrl, v, emojisIn(table, v.announcement.text), byId)));
  });

  app.post("/api/v1/announcements/:id/dismiss", requireScope("write:accounts"), active, async (c) => {
    return c.json(answer(await dismissAnnouncement(deps, currentAccountId(c.get("auth")), idParam(c))));
  });

  app.put("/api/v1/announcements/:id/reactions/:name", requireScope("write:favourites"), active, async (c) => {
    return c.json(answer(await addReaction(deps, currentAccountId(c.get("auth")), idParam(c), c.req.param("name"))));
  });

  app.delete("/api/v1/announcements/:id/reactions/:name", requireScope("write:favourites"), active, async (c) => {
    return c.json(answer(await removeReaction(deps, currentAccountId(c.get("auth")), idParam(c), c.req.param("name"))));
  });
}
