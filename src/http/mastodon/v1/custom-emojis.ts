import type { Hono } from "hono";
import { customEmojiTable } from "../../../services/emojis/custom-emojis.ts";
import type { HerdEnv } from "../../app.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { renderCustomEmoji } from "../serializers/content.ts";
import { publicCache } from "./instance-helpers.ts";

/**
 * GET /api/v1/custom_emojis: the enabled local emojis shown in pickers (Mastodon's `listed`; unlisted ones still
 * render in texts). Public, as in Mastodon, and cacheable.
 */
export function mountCustomEmojis(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  app.get("/api/v1/custom_emojis", async (c) => {
    publicCache(c, 180);
    const table = await customEmojiTable(deps);
    return c.json([...table.values()].filter((e) => e.visibleInPicker).map((e) => renderCustomEmoji((k) => deps.media.url(k), e)));
  });
}
