import type { RouteModule } from "../../client-api.ts";
import { mountDefaultImages } from "../../default-images.ts";
import { mountAccountActions } from "./account-actions.ts";
import { mountAccountReads } from "./accounts.ts";
import { mountCredentials } from "./credentials.ts";
import { mountOwnLists } from "./own-lists.ts";

/**
 * Issue 3's accounts and relationships API. Order matters: the literal paths under /api/v1/accounts/
 * (verify_credentials, update_credentials, lookup, search…) must be registered before `/api/v1/accounts/:id`.
 */
export const mountAccountsApi: RouteModule = (app, deps) => {
  mountDefaultImages(app, deps);
  mountCredentials(app, deps);
  mountAccountReads(app, deps);
  mountAccountActions(app, deps);
  mountOwnLists(app, deps);
};
