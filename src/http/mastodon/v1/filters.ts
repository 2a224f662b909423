import type { Hono } from "hono";
import { createV1Filter, deleteV1Filter, findV1Filter, listV1Filters, updateV1Filter, type V1FilterInput } from "../../../services/filters/manage-filters.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, readParams, type Params } from "../params.ts";
import { renderV1Filter } from "../serializers/filter.ts";
import { contextParam, filterFailure, present } from "../v2/filter-params.ts";
import { idParam } from "./account-helpers.ts";

function v1Input(params: Params): V1FilterInput {
  return {
    phrase: present(params, "phrase"),
    context: contextParam(params),
    irreversible: bool(params, "irreversible"),
    wholeWord: bool(params, "whole_word"),
    expiresIn: present(params, "expires_in"),
  };
}

/**
 * Filters v1 (deprecated, still used by apps): each keyword of the v2 filters shows as one filter, with its
 * filter's contexts and expiry, and `irreversible` for the hide action, as Mastodon maps them.
 */
export function mountFiltersV1(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);
  const read = requireScope("read:filters");
  const write = requireScope("write:filters");

  app.get("/api/v1/filters", read, async (c) => {
    const filters = await listV1Filters(deps, currentAccountId(c.get("auth")));
    return c.json(filters.map((f) => renderV1Filter(f.keyword, f.filter)));
  });

  app.post("/api/v1/filters", write, active, async (c) => {
    const result = await createV1Filter(deps, currentAccountId(c.get("auth")), v1Input(await readParams(c)));
    if (!result.ok) filterFailure(result.error);
    return c.json(renderV1Filter(result.value.keyword, result.value.filter));
  });

  app.get("/api/v1/filters/:id", read, async (c) => {
    const found = await findV1Filter(deps, currentAccountId(c.get("auth")), idParam(c));
    if (!found) throw new HttpError(404, "Record not found");
    return c.json(renderV1Filter(found.keyword, found.filter));
  });

  app.put("/api/v1/filters/:id", write, active, async (c) => {
    const result = await updateV1Filter(deps, currentAccountId(c.get("auth")), idParam(c), v1Input(await readParams(c)));
    if (!result.ok) filterFailure(result.error);
    return c.json(renderV1Filter(result.value.keyword, result.value.filter));
  });

  app.delete("/api/v1/filters/:id", write, active, async (c) => {
    const result = await deleteV1Filter(deps, currentAccountId(c.get("auth")), idParam(c));
    if (!result.ok) filterFailure(result.error);
    return c.json({});
  });
}
