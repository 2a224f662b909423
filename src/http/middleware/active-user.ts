import type { MiddlewareHandler } from "hono";
import type { Database } from "../../ports/database.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import { STANDING_MESSAGES, standingOfAccount } from "../../services/auth/user-standing.ts";
import { HttpError } from "../errors.ts";
import type { AuthContext } from "./auth.ts";

/** What requireActiveUser leaves for the route: the acting account as it read it, with its user. */
export type ActiveUserVariables = { auth: AuthContext | null; actingAccount?: AccountRecord };

/**
 * For methods that act (post, follow, upload): after requireScope, refuses users who may sign in but not act
 * yet, with Mastodon's 403 messages: unconfirmed e-mail, pending approval, disabled. The account it read to
 * judge is kept as `actingAccount`, so a route whose service starts by reading it can hand it over instead.
 */
export function requireActiveUser(deps: { readonly db: Database }): MiddlewareHandler<{ Variables: ActiveUserVariables }> {
  return async (c, next) => {
    const auth = c.get("auth");
    if (!auth || auth.userId === null || auth.accountId === null) throw new HttpError(422, "This method requires an authenticated user");
    const account = await deps.db.repos.accounts.findById(auth.accountId);
    const standing = standingOfAccount(account);
    if (standing !== "active") throw new HttpError(403, STANDING_MESSAGES[standing]);
    c.set("actingAccount", account!);
    return next();
  };
}
