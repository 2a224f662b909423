import type { Hono } from "hono";
import type { HerdEnv } from "./app.ts";
import type { ApiDeps } from "./mastodon/context.ts";
import { apiBodyLimit } from "./middleware/api-body-limit.ts";
import { apiCors } from "./middleware/api-cors.ts";
import { authenticate } from "./middleware/auth.ts";

/** A group of routes (OAuth, registration, accounts…) mounted on the client-facing app. */
export type RouteModule = (app: Hono<HerdEnv>, deps: ApiDeps) => void;

/**
 * Mounts the Mastodon client API and the pages clients send people to. Bearer tokens are resolved for every
 * /api/ request, so each route only declares the scope it needs.
 */
export function mountClientApi(app: Hono<HerdEnv>, deps: ApiDeps, modules: readonly RouteModule[]): void {
  // Browser clients (Elk, Phanpy…) call these from their own origin; no cookies are involved (credentials: false),
  // so any origin may, as Mastodon's Rack::Cors setup allows.
  app.use(
    "/api/*",
    apiCors({
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["Link", "X-RateLimit-Reset", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-Request-Id"],
    }),
  );
  const oauthCors = apiCors({ allowMethods: ["GET", "POST", "OPTIONS"], exposeHeaders: [] });
  for (const path of ["/oauth/token", "/oauth/revoke", "/oauth/userinfo", "/.well-known/*"]) app.use(path, oauthCors);
  app.use("/api/*", apiBodyLimit());
  app.use("/api/*", authenticate(deps) as never);
  for (const mount of modules) mount(app, deps);
}
