import type { Hono } from "hono";
import { featuredTagsOf, featureTag, suggestedTags, unfeatureTag } from "../../../services/tags/featured-tags.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readParams, str } from "../params.ts";
import { renderFeaturedTag } from "../serializers/tag.ts";
import { accountParam, idParam, scopeIfToken } from "./account-helpers.ts";
import { tagDeps, tagFailure, tagsJson } from "./tag-helpers.ts";

/** Featured tags: one's own (list, add, remove, suggestions) and any account's. */
export function mountFeaturedTags(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = tagDeps(deps);
  const active = requireActiveUser(deps);
  const base = deps.instance.baseUrl;

  const acctOf = (a: AccountRecord) => (a.domain === null ? a.username : `${a.username}@${a.domain}`);
  const own = async (accountId: bigint) => {
    const account = await deps.db.repos.accounts.findById(accountId);
    if (!account) throw new HttpError(404, "Record not found");
    return account;
  };

  app.get("/api/v1/featured_tags", requireScope("read:accounts"), async (c) => {
    const account = await own(currentAccountId(c.get("auth")));
    return c.json((await featuredTagsOf(services, account)).map((f) => renderFeaturedTag(base, acctOf(account), f)));
  });

  app.post("/api/v1/featured_tags", requireScope("write:accounts"), active, async (c) => {
    const account = await own(currentAccountId(c.get("auth")));
    const name = str(await readParams(c), "name");
    if (name === undefined || name === "") throw new HttpError(422, "Validation failed: Tag is invalid");
    const result = await featureTag(services, account.id, name);
    if (!result.ok) tagFailure(result.error);
    return c.json(renderFeaturedTag(base, acctOf(account), result.value));
  });

  app.get("/api/v1/featured_tags/suggestions", requireScope("read:accounts"), async (c) => {
    const viewer = currentAccountId(c.get("auth"));
    return c.json(await tagsJson(deps, await suggestedTags(services, viewer), viewer));
  });

  app.delete("/api/v1/featured_tags/:id", requireScope("write:accounts"), active, async (c) => {
    const result = await unfeatureTag(services, currentAccountId(c.get("auth")), idParam(c));
    if (!result.ok) tagFailure(result.error);
    return c.json({});
  });

  app.get("/api/v1/accounts/:id/featured_tags", scopeIfToken("read:accounts"), async (c) => {
    const account = await accountParam(c, deps);
    return c.json((await featuredTagsOf(services, account)).map((f) => renderFeaturedTag(base, acctOf(account), f)));
  });
}
