import type { RouteModule } from "./client-api.ts";
import { mountAccountsApi } from "./mastodon/v1/account-routes.ts";
import { mountStatuses } from "./mastodon/v1/statuses.ts";
import { mountOAuth } from "./oauth/index.ts";
import { mountPages } from "./pages/index.ts";

/** Every group of client-facing routes, in mount order. */
export const CLIENT_ROUTES: readonly RouteModule[] = [mountOAuth, mountPages, mountAccountsApi, mountStatuses];
