import type { Context, Hono } from "hono";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps } from "../context.ts";

/**
 * Mastodon's Api::V1::StreamingController, for processes that do not stream themselves (`herd web`) and for
 * plain GETs of /api/v1/streaming on `herd start`: when STREAMING_API_BASE_URL names another host, a 301 to
 * the same path there (how clients discover a separate streaming host); otherwise 404, meaning "stream here".
 * Public, as in Mastodon: it reveals nothing the instance entity does not.
 */
export function mountStreamingRedirect(app: Hono<HerdEnv>, deps: ApiDeps): void {
  const handler = (c: Context) => {
    const base = new URL(deps.instance.baseUrl);
    let streaming: URL;
    try {
      streaming = new URL(deps.instance.streamingUrl);
    } catch {
      throw new HttpError(404, "Record not found");
    }
    if (streaming.host === base.host) throw new HttpError(404, "Record not found");
    const target = new URL(c.req.url);
    target.protocol = base.protocol;
    target.host = streaming.host;
    return c.redirect(target.toString(), 301);
  };
  app.get("/api/v1/streaming", handler);
  app.get("/api/v1/streaming/*", handler);
}
