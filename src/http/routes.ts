import type { RouteModule } from "./client-api.ts";

/** Every group of client-facing routes, in mount order. */
export const CLIENT_ROUTES: readonly RouteModule[] = [];
