import type { Hono } from "hono";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import { findAccounts, lookupAccount, searchAccounts } from "../../../services/accounts/read-accounts.ts";
import { endorsementsPage, familiarFollowers, networkPage, relationshipsWith } from "../../../services/relationships/lists.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { bool, list, readParams, str } from "../params.ts";
import { renderAccount } from "../serializers/account.ts";
import { renderRelationship } from "../serializers/relationship.ts";
import { accountPageResponse, accountParam, idList, scopeIfToken, viewerOf } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";

/** Mastodon's cap on GET /api/v1/accounts?id[]=… */
const MAX_ACCOUNTS = 40;
const LIST_PAGE = { limit: 40, max: 80 };

function intParam(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : fallback;
}

/**
 * Reading accounts: several at once, by address, search, relationships, familiar followers, one account, and
 * its followers, follows and endorsements. Literal paths are registered before `/:id`, which would match them.
 */
export function mountAccountReads(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  // Each rendering carries the custom emojis of its accounts' names and bios (accountEmojiContext).
  const renderAll = async (accounts: readonly AccountRecord[]) => {
    const ctx = await accountEmojiContext(deps, accounts);
    return accounts.map((a) => renderAccount(ctx, a));
  };

  app.get("/api/v1/accounts", scopeIfToken("read:accounts"), async (c) => {
    const ids = idList(list(await readParams(c), "id"));
    if (ids.length > MAX_ACCOUNTS) throw new HttpError(422, `Too many accounts requested (maximum is ${MAX_ACCOUNTS})`);
    return c.json(await renderAll(await findAccounts(deps, ids)));
  });

  app.get("/api/v1/accounts/lookup", scopeIfToken("read:accounts"), async (c) => {
    const account = await lookupAccount(deps, c.req.query("acct") ?? "", deps.instance.localDomain);
    if (!account) throw new HttpError(404, "Record not found");
    return c.json((await renderAll([account]))[0]);
  });

  app.get("/api/v1/accounts/search", requireScope("read:accounts"), async (c) => {
    const params = await readParams(c);
    const accounts = await searchAccounts(deps, currentAccountId(c.get("auth")), {
      q: str(params, "q") ?? "",
      limit: intParam(str(params, "limit"), LIST_PAGE.limit, 1, LIST_PAGE.max),
      offset: intParam(str(params, "offset"), 0, 0, 10_000),
      following: bool(params, "following") ?? false,
      localDomain: deps.instance.localDomain,
    });
    return c.json(await renderAll(accounts));
  });

  app.get("/api/v1/accounts/relationships", requireScope("read:follows"), async (c) => {
    const params = await readParams(c);
    const states = await relationshipsWith(deps, currentAccountId(c.get("auth")), idList(list(params, "id")), bool(params, "with_suspended") ?? false);
    return c.json(states.map(([id, s]) => renderRelationship(id, s)));
  });

  app.get("/api/v1/accounts/familiar_followers", requireScope("read:follows"), async (c) => {
    const ids = idList(list(await readParams(c), "id"));
    const results = await familiarFollowers(deps, currentAccountId(c.get("auth")), ids);
    const ctx = await accountEmojiContext(deps, results.flatMap((r) => r.accounts));
    return c.json(results.map((r) => ({ id: String(r.id), accounts: r.accounts.map((a) => renderAccount(ctx, a)) })));
  });

  app.get("/api/v1/accounts/:id", scopeIfToken("read:accounts"), async (c) => c.json((await renderAll([await accountParam(c, deps)]))[0]));

  for (const list of ["followers", "following"] as const) {
    app.get(`/api/v1/accounts/:id/${list}`, scopeIfToken("read:accounts"), async (c) => {
      const owner = await accountParam(c, deps);
      return accountPageResponse(c, deps, await networkPage(deps, list, owner, viewerOf(c), readPage(c, LIST_PAGE)));
    });
  }

  app.get("/api/v1/accounts/:id/endorsements", scopeIfToken("read:accounts"), async (c) => {
    const owner = await accountParam(c, deps);
    return accountPageResponse(c, deps, await endorsementsPage(deps, owner, viewerOf(c), readPage(c, LIST_PAGE)));
  });
}
