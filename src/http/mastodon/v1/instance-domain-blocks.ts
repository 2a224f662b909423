import type { Hono } from "hono";
import { publicDomainBlocks } from "../../../services/federation/domain-moderation.ts";
import { instanceSnapshot } from "../../../services/instance/instance-info.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { instanceDeps, publicCache } from "./instance-helpers.ts";

type Audience = "disabled" | "users" | "all";

/** A show_domain_blocks(_rationale) setting; unset means no one, as Mastodon's default (settings.yml: disabled). */
function audience(value: string | undefined): Audience {
  return value === "users" || value === "all" ? value : "disabled";
}

/**
 * GET /api/v1/instance/domain_blocks: the moderated servers, to whom the operator chose (`herd admin settings set
 * show_domain_blocks disabled|users|all`, default disabled as Mastodon's): 404 when shown to no one, 401 without a
 * user's token when shown to users, as Mastodon's documentation says. Comments follow show_domain_blocks_rationale.
 */
export function mountInstanceDomainBlocks(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;
  const services = instanceDeps(deps);

  app.get("/api/v1/instance/domain_blocks", async (c) => {
    const { settings } = await instanceSnapshot(services);
    const show = audience(settings.show_domain_blocks?.value);
    const rationale = audience(settings.show_domain_blocks_rationale?.value);
    if (show === "disabled") throw new HttpError(404, "Record not found");
    const signedIn = (c.var.auth?.accountId ?? null) !== null;
    if (show === "users" && !signedIn) throw new HttpError(401, "This API requires an authenticated user");
    const withComments = rationale === "all" || (rationale === "users" && signedIn);
    // Shared caches may keep it only when every reader gets the same list.
    if (show === "all" && rationale !== "users") publicCache(c);
    else c.header("Cache-Control", "private, no-store");
    const blocks = await publicDomainBlocks(deps, withComments);
    return c.json(
      blocks.map((b) =>
        b.comment === null ? { domain: b.domain, digest: b.digest, severity: b.severity } : { domain: b.domain, digest: b.digest, severity: b.severity, comment: b.comment },
      ),
    );
  });
}
