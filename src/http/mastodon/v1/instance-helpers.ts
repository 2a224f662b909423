import type { Context } from "hono";
import { findAccount } from "../../../services/accounts/read-accounts.ts";
import type { InstanceDeps } from "../../../services/instance/deps.ts";
import { instanceSnapshot } from "../../../services/instance/instance-info.ts";
import type { ApiDeps } from "../context.ts";
import { renderAccount } from "../serializers/account.ts";
import type { InstanceRenderInput } from "../serializers/instance.ts";
import { renderContext } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";

/** Instance services' dependencies from the API's. */
export function instanceDeps(deps: ApiDeps): InstanceDeps {
  return { db: deps.db, cache: deps.cache, clock: deps.clock };
}

/** Mastodon lets shared caches keep the instance entities for a while; Herd's own copy lives a minute. */
export function publicCache(c: Context, seconds = 60): void {
  c.header("Cache-Control", `public, max-age=${seconds}`);
}

/** The snapshot with the contact account rendered, ready for renderInstance / renderV1Instance. */
export async function instanceRenderInput(deps: ApiDeps): Promise<InstanceRenderInput> {
  const snapshot = await instanceSnapshot(instanceDeps(deps));
  const contact = snapshot.contactAccountId === null ? null : await findAccount(deps, BigInt(snapshot.contactAccountId));
  const contactAccount = contact && contact.suspendedAt === null ? renderAccount(await accountEmojiContext(deps, [contact]), contact) : null;
  return { instance: deps.instance, snapshot, contactAccount };
}

export { renderContext };
