import type { Context, Hono } from "hono";
import type { ListRecord } from "../../../ports/repositories/lists.ts";
import { addListAccounts, createList, deleteList, removeListAccounts, updateList, type ListError, type ListInput } from "../../../services/timelines/lists.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { readPage } from "../pagination.ts";
import { bool, list, readParams, str, type Params } from "../params.ts";
import { renderAccount } from "../serializers/account.ts";
import { accountPageResponse, accountParam, idList, idParam } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";

const ACCOUNT_PAGE = { limit: 40, max: 80 };

/** Mastodon's List entity. */
export function renderList(l: ListRecord): Record<string, unknown> {
  return { id: String(l.id), title: l.title, replies_policy: l.repliesPolicy, exclusive: l.exclusive };
}

function listFailure(error: ListError): never {
  if (error.kind === "not_found") throw new HttpError(404, "Record not found");
  throw new HttpError(422, error.message);
}

function listInput(params: Params): ListInput {
  return { title: str(params, "title"), repliesPolicy: str(params, "replies_policy"), exclusive: bool(params, "exclusive") };
}

async function ownList(c: Context<ApiEnv>, deps: ApiDeps): Promise<ListRecord> {
  const found = await deps.db.repos.lists.find(currentAccountId(c.get("auth")), idParam(c));
  if (!found) throw new HttpError(404, "Record not found");
  return found;
}

/** Lists: the viewer's own, their members, and which of them hold an account. */
export function mountLists(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);

  app.get("/api/v1/lists", requireScope("read:lists"), async (c) => {
    const lists = await deps.db.repos.lists.listOwn(currentAccountId(c.get("auth")));
    return c.json(lists.map(renderList));
  });

  app.post("/api/v1/lists", requireScope("write:lists"), active, async (c) => {
    const result = await createList(deps, currentAccountId(c.get("auth")), listInput(await readParams(c)));
    if (!result.ok) listFailure(result.error);
    return c.json(renderList(result.value));
  });

  app.get("/api/v1/lists/:id", requireScope("read:lists"), async (c) => c.json(renderList(await ownList(c, deps))));

  app.put("/api/v1/lists/:id", requireScope("write:lists"), active, async (c) => {
    const result = await updateList(deps, currentAccountId(c.get("auth")), idParam(c), listInput(await readParams(c)));
    if (!result.ok) listFailure(result.error);
    return c.json(renderList(result.value));
  });

  app.delete("/api/v1/lists/:id", requireScope("write:lists"), active, async (c) => {
    const result = await deleteList(deps, currentAccountId(c.get("auth")), idParam(c));
    if (!result.ok) listFailure(result.error);
    return c.json({});
  });

  app.get("/api/v1/lists/:id/accounts", requireScope("read:lists"), async (c) => {
    const own = await ownList(c, deps);
    // limit=0 lists every member without paging, as Mastodon's.
    const all = c.req.query("limit") === "0";
    const page = all ? { limit: 0 } : readPage(c, ACCOUNT_PAGE);
    const rows = await deps.db.repos.lists.membersPage(own.id, page);
    const accounts = new Map((await deps.db.repos.accounts.findByIds([...new Set(rows.map((r) => r.accountId))])).map((a) => [a.id, a]));
    if (!all) return accountPageResponse(c, deps, { rows, accounts });
    const ctx = await accountEmojiContext(deps, [...accounts.values()]);
    return c.json(rows.map((r) => accounts.get(r.accountId)).filter((a) => a !== undefined).map((a) => renderAccount(ctx, a)));
  });

  for (const [method, change] of [["post", addListAccounts], ["delete", removeListAccounts]] as const) {
    app[method]("/api/v1/lists/:id/accounts", requireScope("write:lists"), active, async (c) => {
      const ids = idList(list(await readParams(c), "account_ids"));
      const result = await change(deps, currentAccountId(c.get("auth")), idParam(c), ids);
      if (!result.ok) listFailure(result.error);
      return c.json({});
    });
  }

  app.get("/api/v1/accounts/:id/lists", requireScope("read:lists"), async (c) => {
    const account = await accountParam(c, deps);
    const lists = await deps.db.repos.lists.listsHolding(currentAccountId(c.get("auth")), account.id);
    return c.json(lists.map(renderList));
  });
}
