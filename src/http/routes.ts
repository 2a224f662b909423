import type { RouteModule } from "./client-api.ts";
import { mountAccountsApi } from "./mastodon/v1/account-routes.ts";
import { mountConversations } from "./mastodon/v1/conversations.ts";
import { mountInstanceContent } from "./mastodon/v1/instance-content-routes.ts";
import { mountLists } from "./mastodon/v1/lists.ts";
import { mountMarkers } from "./mastodon/v1/markers.ts";
import { mountMedia } from "./mastodon/v1/media.ts";
import { mountNotifications } from "./mastodon/v1/notifications.ts";
import { mountPolls } from "./mastodon/v1/polls.ts";
import { mountScheduledStatuses } from "./mastodon/v1/scheduled-statuses.ts";
import { mountStatusActions } from "./mastodon/v1/status-actions.ts";
import { mountFiltersV1 } from "./mastodon/v1/filters.ts";
import { mountStatuses } from "./mastodon/v1/statuses.ts";
import { mountStreamingRedirect } from "./mastodon/v1/streaming.ts";
import { mountFeaturedTags } from "./mastodon/v1/featured-tags.ts";
import { mountFollowedTags } from "./mastodon/v1/followed-tags.ts";
import { mountTags } from "./mastodon/v1/tags.ts";
import { mountTimelines } from "./mastodon/v1/timelines.ts";
import { mountFiltersV2 } from "./mastodon/v2/filters.ts";
import { mountMediaV2 } from "./mastodon/v2/media.ts";
import { mountGroupedNotifications } from "./mastodon/v2/notifications.ts";
import { mountSearch } from "./mastodon/v2/search.ts";
import { mountMediaProxy } from "./mastodon/media-proxy.ts";
import { mountOAuth } from "./oauth/index.ts";
import { mountPages } from "./pages/index.ts";

/** Every group of client-facing routes, in mount order. */
export const CLIENT_ROUTES: readonly RouteModule[] = [mountOAuth, mountPages, mountAccountsApi, mountStatuses, mountStatusActions, mountPolls, mountScheduledStatuses, mountFiltersV1, mountFiltersV2, mountTimelines, mountLists, mountConversations, mountTags, mountFollowedTags, mountFeaturedTags, mountSearch, mountInstanceContent, mountNotifications, mountGroupedNotifications, mountMarkers, mountMedia, mountMediaV2, mountStreamingRedirect, mountMediaProxy];
