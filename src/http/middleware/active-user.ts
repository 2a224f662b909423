import type { MiddlewareHandler } from "hono";
import type { Database } from "../../ports/database.ts";
import { STANDING_MESSAGES, standingOfUser } from "../../services/auth/user-standing.ts";
import { HttpError } from "../errors.ts";
import type { AuthContext } from "./auth.ts";

/**
 * For methods that act (post, follow, upload): after requireScope, refuses users who may sign in but not act
 * yet, with Mastodon's 403 messages: unconfirmed e-mail, pending approval, disabled.
 */
export function requireActiveUser(deps: { readonly db: Database }): MiddlewareHandler<{ Variables: { auth: AuthContext | null } }> {
  return async (c, next) => {
    const auth = c.get("auth");
    if (!auth || auth.userId === null) throw new HttpError(422, "This method requires an authenticated user");
    const standing = await standingOfUser(deps.db.repos, auth.userId);
    if (standing !== "active") throw new HttpError(403, STANDING_MESSAGES[standing]);
    return next();
  };
}
