import type { Context, Hono } from "hono";
import type { PollRecord } from "../../../ports/repositories/polls.ts";
import { findVisiblePoll, voteOnPoll } from "../../../services/polls/vote.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { list, readParams } from "../params.ts";
import { refuse } from "../refusals.ts";
import { renderPoll } from "../serializers/poll.ts";
import { idParam, scopeIfToken, viewerOf } from "./account-helpers.ts";

/** A poll as JSON for the request's viewer (with their choices when signed in). */
async function pollJson(c: Context<ApiEnv>, deps: ApiDeps, poll: PollRecord): Promise<Record<string, unknown>> {
  const viewer = viewerOf(c);
  const choices = viewer === null ? null : ((await deps.db.repos.polls.choicesOf(viewer, [poll.id])).get(poll.id) ?? []);
  return renderPoll(poll, deps.clock.now(), viewer === null ? null : { accountId: viewer, choices: choices! });
}

/** Polls: view one (as its status's visibility allows) and vote. */
export function mountPolls(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);

  app.get("/api/v1/polls/:id", scopeIfToken("read:statuses"), async (c) => {
    const poll = await findVisiblePoll(deps, idParam(c), viewerOf(c));
    if (!poll) throw new HttpError(404, "Record not found");
    return c.json(await pollJson(c, deps, poll));
  });

  app.post("/api/v1/polls/:id/votes", requireScope("write:statuses"), active, async (c) => {
    const params = await readParams(c);
    const result = await voteOnPoll(deps, currentAccountId(c.get("auth")), idParam(c), list(params, "choices"));
    if (!result.ok) refuse(result.error);
    return c.json(await pollJson(c, deps, result.value));
  });
}
