import type { Hono } from "hono";
import { parseId } from "../../../domain/ids.ts";
import {
  addFilterStatus,
  addKeyword,
  createFilter,
  deleteFilter,
  deleteKeyword,
  findFilter,
  findFilterStatus,
  findKeyword,
  listFilters,
  removeFilterStatus,
  updateFilter,
  updateKeyword,
} from "../../../services/filters/manage-filters.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, readParams, str } from "../params.ts";
import { renderFilter, renderFilterKeyword, renderFilterStatus } from "../serializers/filter.ts";
import { idParam } from "../v1/account-helpers.ts";
import { filterFailure, filterInput, present } from "./filter-params.ts";

const notFound = () => new HttpError(404, "Record not found");

/**
 * Filters v2 (Mastodon 4): filter groups with keywords and statuses, matched server-side. The literal
 * `keywords/:id` and `statuses/:id` routes are mounted before `:id` so they are not taken for filter ids.
 */
export function mountFiltersV2(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);
  const read = requireScope("read:filters");
  const write = requireScope("write:filters");
  const viewer = (c: { get(key: "auth"): ApiEnv["Variables"]["auth"] }) => currentAccountId(c.get("auth"));

  app.get("/api/v2/filters/keywords/:id", read, async (c) => {
    const keyword = await findKeyword(deps, viewer(c), idParam(c));
    if (!keyword) throw notFound();
    return c.json(renderFilterKeyword(keyword));
  });

  app.put("/api/v2/filters/keywords/:id", write, active, async (c) => {
    const params = await readParams(c);
    const result = await updateKeyword(deps, viewer(c), idParam(c), { keyword: present(params, "keyword"), wholeWord: bool(params, "whole_word") });
    if (!result.ok) filterFailure(result.error);
    return c.json(renderFilterKeyword(result.value));
  });

  app.delete("/api/v2/filters/keywords/:id", write, active, async (c) => {
    const result = await deleteKeyword(deps, viewer(c), idParam(c));
    if (!result.ok) filterFailure(result.error);
    return c.json({});
  });

  app.get("/api/v2/filters/statuses/:id", read, async (c) => {
    const entry = await findFilterStatus(deps, viewer(c), idParam(c));
    if (!entry) throw notFound();
    return c.json(renderFilterStatus(entry));
  });

  app.delete("/api/v2/filters/statuses/:id", write, active, async (c) => {
    const result = await removeFilterStatus(deps, viewer(c), idParam(c));
    if (!result.ok) filterFailure(result.error);
    return c.json({});
  });

  app.get("/api/v2/filters", read, async (c) => c.json((await listFilters(deps, viewer(c))).map(renderFilter)));

  app.post("/api/v2/filters", write, active, async (c) => {
    const result = await createFilter(deps, viewer(c), filterInput(await readParams(c)));
    if (!result.ok) filterFailure(result.error);
    return c.json(renderFilter(result.value));
  });

  app.get("/api/v2/filters/:id", read, async (c) => {
    const filter = await findFilter(deps, viewer(c), idParam(c));
    if (!filter) throw notFound();
    return c.json(renderFilter(filter));
  });

  app.put("/api/v2/filters/:id", write, active, async (c) => {
    const result = await updateFilter(deps, viewer(c), idParam(c), filterInput(await readParams(c)));
    if (!result.ok) filterFailure(result.error);
    return c.json(renderFilter(result.value));
  });

  app.delete("/api/v2/filters/:id", write, active, async (c) => {
    const result = await deleteFilter(deps, viewer(c), idParam(c));
    if (!result.ok) filterFailure(result.error);
    return c.json({});
  });

  app.get("/api/v2/filters/:filter_id/keywords", read, async (c) => {
    const filter = await findFilter(deps, viewer(c), idParam(c, "filter_id"));
    if (!filter) throw notFound();
    return c.json(filter.keywords.map(renderFilterKeyword));
  });

  app.post("/api/v2/filters/:filter_id/keywords", write, active, async (c) => {
    const params = await readParams(c);
    const result = await addKeyword(deps, viewer(c), idParam(c, "filter_id"), { keyword: present(params, "keyword"), wholeWord: bool(params, "whole_word") });
    if (!result.ok) filterFailure(result.error);
    return c.json(renderFilterKeyword(result.value));
  });

  app.get("/api/v2/filters/:filter_id/statuses", read, async (c) => {
    const filter = await findFilter(deps, viewer(c), idParam(c, "filter_id"));
    if (!filter) throw notFound();
    return c.json(filter.statuses.map(renderFilterStatus));
  });

  app.post("/api/v2/filters/:filter_id/statuses", write, active, async (c) => {
    const params = await readParams(c);
    const result = await addFilterStatus(deps, viewer(c), idParam(c, "filter_id"), parseId(str(params, "status_id") ?? ""));
    if (!result.ok) filterFailure(result.error);
    return c.json(renderFilterStatus(result.value));
  });
}
