import type { Context, MiddlewareHandler } from "hono";
import { parseId } from "../../../domain/ids.ts";
import { scopeAllows } from "../../../domain/scopes.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { ListedAccount } from "../../../ports/repositories/relationships.ts";
import { cachedAccountRecords } from "../../../services/accounts/account-cache.ts";
import { findAccount } from "../../../services/accounts/read-accounts.ts";
import type { RelationshipError } from "../../../services/relationships/deps.ts";
import type { AccountPage } from "../../../services/relationships/lists.ts";
import { relationshipWith } from "../../../services/relationships/lists.ts";
import { HttpError } from "../../errors.ts";
import type { AuthContext } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { setPageLinks } from "../pagination.ts";
import { refuse } from "../refusals.ts";
import { renderAccount, type AccountRenderContext } from "../serializers/account.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";
import { renderRelationship } from "../serializers/relationship.ts";

type AuthVars = { Variables: { auth: AuthContext | null } };

/** Rendering settings for account entities. */
export function renderContext(deps: ApiDeps): AccountRenderContext {
  return { baseUrl: deps.instance.baseUrl, mediaUrl: (key) => deps.media.url(key) };
}

const NO_ACCOUNTS: ReadonlyMap<bigint, AccountRecord> = new Map();

/**
 * The accounts that `accounts` moved to, by id, for their `moved`: one lookup for a whole page, through the
 * per-process record cache (current by the shared epochs, so a suspension shows at once); none when nobody
 * moved, which is nearly every page.
 */
export async function movedTargets(deps: ApiDeps, accounts: Iterable<AccountRecord | undefined>): Promise<ReadonlyMap<bigint, AccountRecord>> {
  const ids = new Set<bigint>();
  for (const a of accounts) if (a && a.movedToAccountId != null && a.suspendedAt === null) ids.add(a.movedToAccountId);
  if (ids.size === 0) return NO_ACCOUNTS;
  return cachedAccountRecords(deps.cache, [...ids], (missing) => deps.db.repos.accounts.findByIds(missing));
}

/** `ctx` with the accounts that `accounts` moved to, so that their renderings carry `moved`. */
export async function withMovedTargets(deps: ApiDeps, ctx: AccountRenderContext, accounts: Iterable<AccountRecord | undefined>): Promise<AccountRenderContext> {
  const movedTo = await movedTargets(deps, accounts);
  return movedTo.size === 0 ? ctx : { ...ctx, movedTo };
}

/** A path id; anything that is not one is an unknown record, as Mastodon answers. */
export function idParam(c: Context, name = "id"): bigint {
  const id = parseId(c.req.param(name));
  if (id === null) throw new HttpError(404, "Record not found");
  return id;
}

/** The account a path names, or 404. */
export async function accountParam(c: Context, deps: ApiDeps, name = "id"): Promise<AccountRecord> {
  const account = await findAccount(deps, idParam(c, name));
  if (!account) throw new HttpError(404, "Record not found");
  return account;
}

/** Ids from `id[]` (or `id`), each once; malformed ones name no account and are skipped, as Mastodon does. */
export function idList(values: readonly string[]): bigint[] {
  const ids: bigint[] = [];
  for (const v of values) {
    const id = parseId(v);
    if (id !== null && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Turns a refused relationship change into Mastodon's status and message. */
export const relationshipFailure: (error: RelationshipError) => never = refuse;

/**
 * For public methods: anonymous requests pass; a token, if given, must carry `scope` (Mastodon's
 * `authorize_if_got_token!`).
 */
export function scopeIfToken(scope: string): MiddlewareHandler<AuthVars> {
  return async (c, next) => {
    const auth = c.get("auth");
    if (auth && !scopeAllows(auth.scopes, scope)) throw new HttpError(403, "This action is outside the authorized scopes");
    return next();
  };
}

/** Like requireScope, for methods that accept any of several scopes (verify_credentials: profile or read:accounts). */
export function requireOneOf(scopes: readonly string[]): MiddlewareHandler<AuthVars> {
  return async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw new HttpError(401, "The access token is invalid");
    if (!scopes.some((s) => scopeAllows(auth.scopes, s))) throw new HttpError(403, "This action is outside the authorized scopes");
    if (auth.accountId === null) throw new HttpError(422, "This method requires an authenticated user");
    return next();
  };
}

/** The signed-in account of a request with an optional token (null when anonymous or app-only). */
export function viewerOf(c: Context<ApiEnv>): bigint | null {
  return c.get("auth")?.accountId ?? null;
}

/** Link header for a page of relationship rows (their row ids are the paging keys). */
export function linkRows(c: Context, deps: ApiDeps, rows: readonly { rowId: bigint }[]): void {
  setPageLinks(c, deps.instance.baseUrl, rows.length > 0 ? { newest: rows[0].rowId, oldest: rows[rows.length - 1].rowId } : null);
}

/** Renders a page of accounts in row order, with its Link header; `ctx` carries the emojis their names and bios use. */
export async function accountPageResponse<T extends ListedAccount>(
  c: Context,
  deps: ApiDeps,
  page: AccountPage<T>,
  render: (account: AccountRecord, row: T, ctx: AccountRenderContext) => Record<string, unknown> = (a, _row, ctx) => renderAccount(ctx, a),
): Promise<Response> {
  linkRows(c, deps, page.rows);
  const ctx = await accountEmojiContext(deps, [...page.accounts.values()]);
  const body: Record<string, unknown>[] = [];
  for (const row of page.rows) {
    const account = page.accounts.get(row.accountId);
    if (account) body.push(render(account, row, ctx));
  }
  return c.json(body);
}

/** The Relationship from the viewer to `targetId`, as every write method answers. */
export async function relationshipResponse(c: Context, deps: ApiDeps, viewerId: bigint, targetId: bigint): Promise<Response> {
  const state = await relationshipWith(deps, viewerId, targetId);
  if (!state) throw new HttpError(404, "Record not found");
  return c.json(renderRelationship(targetId, state));
}
