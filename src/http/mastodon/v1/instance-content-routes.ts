import type { RouteModule } from "../../client-api.ts";
import { mountInstanceV2 } from "../v2/instance.ts";
import { mountSuggestionsV2 } from "../v2/suggestions.ts";
import { mountAnnouncements } from "./announcements.ts";
import { mountCustomEmojis } from "./custom-emojis.ts";
import { mountDirectory } from "./directory.ts";
import { mountInstanceV1 } from "./instance.ts";
import { mountInstanceDomainBlocks } from "./instance-domain-blocks.ts";
import { mountSuggestionsV1 } from "./suggestions.ts";
import { mountTrends } from "./trends.ts";

/** The instance, custom emojis, announcements, trends, directory and suggestions APIs. */
export const mountInstanceContent: RouteModule = (app, deps) => {
  mountInstanceV1(app, deps);
  mountInstanceDomainBlocks(app, deps);
  mountInstanceV2(app, deps);
  mountCustomEmojis(app, deps);
  mountAnnouncements(app, deps);
  mountTrends(app, deps);
  mountDirectory(app, deps);
  mountSuggestionsV1(app, deps);
  mountSuggestionsV2(app, deps);
};
