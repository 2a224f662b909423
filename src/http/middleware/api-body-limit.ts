import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/** The largest body an /api/ request may send, except the routes below that carry files. */
export const API_BODY_LIMIT = 1024 * 1024;

/**
 * Routes that take uploads and declare their own, larger bodyLimit (media: uploadBodyLimit in v1/media.ts;
 * update_credentials: UPDATE_BODY_LIMIT in v1/credentials.ts). Their bodies must not be counted twice, so the
 * global limit steps aside for exactly these method and path pairs.
 */
const OWN_LIMIT: readonly { readonly method: string; readonly path: RegExp }[] = [
  { method: "POST", path: /^\/api\/v[12]\/media$/ },
  { method: "PUT", path: /^\/api\/v1\/media\/[^/]+$/ },
  { method: "PATCH", path: /^\/api\/v1\/accounts\/update_credentials$/ },
];

/**
 * Refuses an /api/ body past API_BODY_LIMIT before it is buffered (readParams reads the whole body), with 413
 * and Mastodon's error shape. Counted as it streams, so a missing or false Content-Length does not get past it.
 */
export function apiBodyLimit(): MiddlewareHandler {
  const tooLarge = (c: Context) => c.json({ error: "The request body is too large" }, 413);
  const limit = bodyLimit({ maxSize: API_BODY_LIMIT, onError: tooLarge });
  return (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    const path = c.req.path;
    if (OWN_LIMIT.some((r) => r.method === method && r.path.test(path))) return next();
    // A declared length is checked here, as hono's bodyLimit would: it reads `c.req.raw.body` first, which
    // turns @hono/node-server's light request into a full one and its body into a web stream, a tenth of a
    // small POST's cost. Only a body without a length (chunked) is counted as it streams.
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > API_BODY_LIMIT ? Promise.resolve(tooLarge(c)) : next();
    }
    return limit(c, next);
  };
}
