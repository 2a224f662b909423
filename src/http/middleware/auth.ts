import type { MiddlewareHandler } from "hono";
import { scopeAllows } from "../../domain/scopes.ts";
import { resolveAccessToken, type ResolvedToken, type TokenDeps } from "../../services/auth/access-tokens.ts";
import { HttpError } from "../errors.ts";

export type AuthContext = ResolvedToken;

/** The bearer token of a request: the Authorization header, else an `access_token` query parameter (as Mastodon). */
export function bearerOf(authorization: string | undefined, queryToken: string | undefined): string | null {
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m ? m[1] : null;
  }
  return queryToken ?? null;
}

/**
 * Resolves the bearer token, if any, into `c.var.auth`. A token that is present but invalid is refused with
 * 401 at once, even on public endpoints, as Mastodon does, so clients notice a revoked token.
 */
export function authenticate(deps: TokenDeps): MiddlewareHandler<{ Variables: { auth: AuthContext | null } }> {
  return async (c, next) => {
    const bearer = bearerOf(c.req.header("authorization"), c.req.query("access_token"));
    if (bearer === null) {
      if (c.req.header("authorization")) throw new HttpError(401, "The access token is invalid");
      c.set("auth", null);
      return next();
    }
    const auth = await resolveAccessToken(deps, bearer);
    if (!auth) throw new HttpError(401, "The access token is invalid");
    c.set("auth", auth);
    return next();
  };
}

/**
 * Requires a token with `scope` (or the top-level scope containing it). With `user: true` (the default) the
 * token must belong to a user, not only to an app (client_credentials).
 */
export function requireScope(scope: string, options: { user?: boolean } = {}): MiddlewareHandler<{ Variables: { auth: AuthContext | null } }> {
  const needUser = options.user ?? true;
  return async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw new HttpError(401, "The access token is invalid");
    if (!scopeAllows(auth.scopes, scope)) throw new HttpError(403, "This action is outside the authorized scopes");
    if (needUser && auth.accountId === null) throw new HttpError(422, "This method requires an authenticated user");
    return next();
  };
}

/** The signed-in account of a request that passed requireScope (user tokens only). */
export function currentAccountId(auth: AuthContext | null): bigint {
  if (!auth || auth.accountId === null) throw new HttpError(422, "This method requires an authenticated user");
  return auth.accountId;
}

/**
 * Requires any valid token, app or user, whatever its scopes: for the few methods Mastodon documents as
 * "any App token" (GET /api/v1/apps/verify_credentials).
 */
export function requireAnyToken(): MiddlewareHandler<{ Variables: { auth: AuthContext | null } }> {
  return async (c, next) => {
    if (!c.get("auth")) throw new HttpError(401, "The access token is invalid");
    return next();
  };
}
