import type { Hono } from "hono";
import { blockDomain, unblockDomain } from "../../../services/relationships/domain-blocks.ts";
import { authorizeFollowRequest, rejectFollowRequest } from "../../../services/relationships/follow.ts";
import { domainBlocksPage, mutesPage, ownListPage } from "../../../services/relationships/lists.ts";
import type { HerdEnv } from "../../app.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { readParams, str } from "../params.ts";
import { renderMutedAccount } from "../serializers/account.ts";
import { accountPageResponse, accountParam, linkRows, relationshipFailure, relationshipResponse } from "./account-helpers.ts";

const ACCOUNT_PAGE = { limit: 40, max: 80 };
const DOMAIN_PAGE = { limit: 100, max: 200 };

/**
 * The signed-in account's own lists: follow requests received (and answering them), blocks, mutes, blocked
 * domains and endorsements. Each pages by the row id, which the Link header carries.
 */
export function mountOwnLists(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);

  app.get("/api/v1/follow_requests", requireScope("read:follows"), async (c) =>
    accountPageResponse(c, deps, await ownListPage(deps, "follow_requests", currentAccountId(c.get("auth")), readPage(c, ACCOUNT_PAGE))),
  );

  for (const [name, answer] of [["authorize", authorizeFollowRequest], ["reject", rejectFollowRequest]] as const) {
    app.post(`/api/v1/follow_requests/:account_id/${name}`, requireScope("write:follows"), active, async (c) => {
      const viewerId = currentAccountId(c.get("auth"));
      const requester = await accountParam(c, deps, "account_id");
      const result = await answer(deps, viewerId, requester.id);
      if (!result.ok) relationshipFailure(result.error);
      return relationshipResponse(c, deps, viewerId, requester.id);
    });
  }

  app.get("/api/v1/blocks", requireScope("read:blocks"), async (c) =>
    accountPageResponse(c, deps, await ownListPage(deps, "blocks", currentAccountId(c.get("auth")), readPage(c, ACCOUNT_PAGE))),
  );

  app.get("/api/v1/mutes", requireScope("read:mutes"), async (c) => {
    const page = await mutesPage(deps, currentAccountId(c.get("auth")), readPage(c, ACCOUNT_PAGE));
    return accountPageResponse(c, deps, page, (account, row, ctx) => renderMutedAccount(ctx, account, row.expiresAt));
  });

  app.get("/api/v1/endorsements", requireScope("read:accounts"), async (c) =>
    accountPageResponse(c, deps, await ownListPage(deps, "endorsements", currentAccountId(c.get("auth")), readPage(c, ACCOUNT_PAGE))),
  );

  app.get("/api/v1/domain_blocks", requireScope("read:blocks"), async (c) => {
    const rows = await domainBlocksPage(deps, currentAccountId(c.get("auth")), readPage(c, DOMAIN_PAGE));
    linkRows(c, deps, rows);
    return c.json(rows.map((r) => r.domain));
  });

  app.post("/api/v1/domain_blocks", requireScope("write:blocks"), active, async (c) => {
    const result = await blockDomain(deps, currentAccountId(c.get("auth")), str(await readParams(c), "domain"));
    if (!result.ok) relationshipFailure(result.error);
    return c.json({});
  });

  app.delete("/api/v1/domain_blocks", requireScope("write:blocks"), active, async (c) => {
    const result = await unblockDomain(deps, currentAccountId(c.get("auth")), str(await readParams(c), "domain"));
    if (!result.ok) relationshipFailure(result.error);
    return c.json({});
  });
}
