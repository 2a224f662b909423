import type { Context, Hono } from "hono";
import { blockAccount, unblockAccount } from "../../../services/relationships/block.ts";
import { endorseAccount, unendorseAccount } from "../../../services/relationships/endorse.ts";
import { followAccount, removeFromFollowers, unfollowAccount } from "../../../services/relationships/follow.ts";
import { muteAccount, unmuteAccount } from "../../../services/relationships/mute.ts";
import { setAccountNote } from "../../../services/relationships/note.ts";
import type { HerdEnv } from "../../app.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, list, readParams, str } from "../params.ts";
import { accountParam, relationshipFailure, relationshipResponse } from "./account-helpers.ts";

type Action = (viewerId: bigint, targetId: bigint, c: Context<ApiEnv>) => Promise<void>;

/**
 * What one account does to another: follow, block, mute, note, endorse, and their undoing. Each answers with
 * the Relationship as it stands afterwards; an unknown account is 404. Users who may not act yet (unconfirmed,
 * pending approval) are refused with Mastodon's 403 messages.
 */
export function mountAccountActions(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const active = requireActiveUser(deps);
  const action = (name: string, scope: string, run: Action) =>
    app.post(`/api/v1/accounts/:id/${name}`, requireScope(scope), active, async (c) => {
      const viewerId = currentAccountId(c.get("auth"));
      const target = await accountParam(c, deps);
      await run(viewerId, target.id, c);
      return relationshipResponse(c, deps, viewerId, target.id);
    });

  action("follow", "write:follows", async (viewerId, targetId, c) => {
    const params = await readParams(c);
    const languages = "languages" in params ? list(params, "languages").filter((l) => l.trim() !== "") : undefined;
    const result = await followAccount(deps, viewerId, targetId, {
      reblogs: bool(params, "reblogs"),
      notify: bool(params, "notify"),
      languages: languages === undefined ? undefined : languages.length > 0 ? languages : null,
    });
    if (!result.ok) relationshipFailure(result.error);
  });
  action("unfollow", "write:follows", (viewerId, targetId) => unfollowAccount(deps, viewerId, targetId));
  action("remove_from_followers", "write:follows", (viewerId, targetId) => removeFromFollowers(deps, viewerId, targetId));

  action("block", "write:blocks", (viewerId, targetId) => blockAccount(deps, viewerId, targetId));
  action("unblock", "write:blocks", (viewerId, targetId) => unblockAccount(deps, viewerId, targetId));

  action("mute", "write:mutes", async (viewerId, targetId, c) => {
    const params = await readParams(c);
    const duration = str(params, "duration");
    const result = await muteAccount(deps, viewerId, targetId, {
      notifications: bool(params, "notifications"),
      durationSeconds: duration === undefined || duration.trim() === "" ? 0 : Number(duration),
    });
    if (!result.ok) relationshipFailure(result.error);
  });
  action("unmute", "write:mutes", (viewerId, targetId) => unmuteAccount(deps, viewerId, targetId));

  action("note", "write:accounts", async (viewerId, targetId, c) => {
    const result = await setAccountNote(deps, viewerId, targetId, str(await readParams(c), "comment"));
    if (!result.ok) relationshipFailure(result.error);
  });

  // `pin`/`unpin` are the names before Mastodon 4.4; both pairs stay, as in Mastodon.
  for (const [on, off] of [["endorse", "unendorse"], ["pin", "unpin"]] as const) {
    action(on, "write:accounts", async (viewerId, targetId) => {
      const result = await endorseAccount(deps, viewerId, targetId);
      if (!result.ok) relationshipFailure(result.error);
    });
    action(off, "write:accounts", (viewerId, targetId) => unendorseAccount(deps, viewerId, targetId));
  }
}
