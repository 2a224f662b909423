import type { Hono } from "hono";
import type { HerdEnv } from "./app.ts";
import type { ApiDeps } from "./mastodon/context.ts";
import { authenticate } from "./middleware/auth.ts";

/** A group of routes (OAuth, registration, accounts…) mounted on the client-facing app. */
export type RouteModule = (app: Hono<HerdEnv>, deps: ApiDeps) => void;

/**
 * Mounts the Mastodon client API and the pages clients send people to. Bearer tokens are resolved for every
 * /api/ request, so each route only declares the scope it needs.
 */
export function mountClientApi(app: Hono<HerdEnv>, deps: ApiDeps, modules: readonly RouteModule[]): void {
  app.use("/api/*", authenticate(deps) as never);
  for (const mount of modules) mount(app, deps);
}
