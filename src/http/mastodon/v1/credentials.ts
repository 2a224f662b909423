import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import { readCachedAccount, storeCachedAccount } from "../../../services/accounts/account-cache.ts";
import type { ProfileImageKind } from "../../../services/accounts/profile-images.ts";
import { removeProfileImage, updateProfile, type ProfileError, type ProfileUpdate } from "../../../services/accounts/update-profile.ts";
import { STANDING_MESSAGES, standingOfAccount } from "../../../services/auth/user-standing.ts";
import type { HerdEnv } from "../../app.ts";
import { HttpError } from "../../errors.ts";
import { requireActiveUser } from "../../middleware/active-user.ts";
import { currentAccountId, requireScope } from "../../middleware/auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { bool, file, readParams, str, type ParamValue, type Params } from "../params.ts";
import { renderCredentialAccount, renderPreferences } from "../serializers/account.ts";
import { requireOneOf } from "./account-helpers.ts";
import { accountEmojiContext } from "./emoji-helpers.ts";

const JSON_TYPE = { "Content-Type": "application/json" };
// Two pictures of 8 MB each plus the text fields, with room for multipart framing.
const UPDATE_BODY_LIMIT = 20 * 1024 * 1024;

function profileFailure(error: ProfileError): never {
  if (error.kind === "not_found") throw new HttpError(404, "Record not found");
  throw new HttpError(422, error.message);
}

/** Refuses users who may not act yet, with Mastodon's 403 messages. */
function assertActive(account: AccountRecord): void {
  if (!account.user) throw new HttpError(422, "This method requires an authenticated user");
  const standing = standingOfAccount(account);
  if (standing !== "active") throw new HttpError(403, STANDING_MESSAGES[standing]);
}

/**
 * The CredentialAccount JSON, with the custom emojis of the name and bio (from the cached emoji table, no query).
 * verify_credentials caches this text, emojis included: an emoji added or removed with the admin CLI does not
 * forget the account renderings, so one may show the old emojis until its 60 s TTL runs out, which is acceptable.
 */
async function credentialJson(deps: ApiDeps, account: AccountRecord): Promise<string> {
  const [pending, ctx] = await Promise.all([deps.db.repos.relationships.countFollowRequests(account.id), accountEmojiContext(deps, [account])]);
  return JSON.stringify(renderCredentialAccount(ctx, account, pending));
}

function isParams(v: ParamValue | undefined): v is Params {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof File);
}

/** `fields_attributes` as a Rails hash (`[0][name]`), or a JSON array of {name, value}. */
function readFields(value: ParamValue | undefined): { name: string; value: string }[] | undefined {
  if (value === undefined) return undefined;
  if (value === "") return [];
  const items = Array.isArray(value) ? value : isParams(value) ? Object.values(value) : null;
  if (items === null) throw new HttpError(422, "Validation failed: Fields must be a list of name and value pairs");
  return items.map((item) => {
    if (!isParams(item)) throw new HttpError(422, "Validation failed: Fields must be a list of name and value pairs");
    return { name: str(item, "name") ?? "", value: str(item, "value") ?? "" };
  });
}

async function upload(params: Params, key: string): Promise<Uint8Array | undefined> {
  const f = file(params, key);
  return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
}

async function readProfileUpdate(c: Context): Promise<ProfileUpdate> {
  const params = await readParams(c);
  const source = isParams(params.source) ? params.source : undefined;
  return {
    displayName: str(params, "display_name"),
    note: str(params, "note"),
    locked: bool(params, "locked"),
    bot: bool(params, "bot"),
    discoverable: bool(params, "discoverable"),
    indexable: bool(params, "indexable"),
    hideCollections: bool(params, "hide_collections"),
    fields: readFields(params.fields_attributes),
    avatar: await upload(params, "avatar"),
    header: await upload(params, "header"),
    source: source && {
      privacy: str(source, "privacy"),
      sensitive: bool(source, "sensitive"),
      language: str(source, "language"),
      quotePolicy: str(source, "quote_policy"),
    },
  };
}

/**
 * The signed-in account's own profile: verify_credentials (the hottest authenticated method: answered from the
 * rendered-JSON cache), update_credentials, removing the avatar or header, and preferences.
 */
export function mountCredentials(root: Hono<HerdEnv>, deps: ApiDeps): void {
  const app = root as unknown as Hono<ApiEnv>;

  app.get("/api/v1/accounts/verify_credentials", requireOneOf(["profile", "read:accounts"]), async (c) => {
    const id = currentAccountId(c.get("auth"));
    const cached = await readCachedAccount(deps.cache, id);
    if (cached.json !== null) return c.body(cached.json, 200, JSON_TYPE);
    const account = await deps.db.repos.accounts.findById(id);
    if (!account) throw new HttpError(401, "The access token is invalid");
    assertActive(account);
    const json = await credentialJson(deps, account);
    // A moved account's rendering embeds the account it moved to, whose changes (a suspension) do not forget
    // this entry: it is rendered afresh each time (moved accounts are few and no longer used).
    if (account.movedToAccountId == null) await storeCachedAccount(deps.cache, id, cached.seen, json);
    return c.body(json, 200, JSON_TYPE);
  });

  const tooLarge = bodyLimit({
    maxSize: UPDATE_BODY_LIMIT,
    onError: () => {
      throw new HttpError(413, "The request body is too large");
    },
  });
  const active = requireActiveUser(deps);
  app.patch("/api/v1/accounts/update_credentials", requireScope("write:accounts"), active, tooLarge, async (c) => {
    const id = currentAccountId(c.get("auth"));
    const result = await updateProfile(deps, id, await readProfileUpdate(c));
    if (!result.ok) profileFailure(result.error);
    return c.body(await credentialJson(deps, result.value), 200, JSON_TYPE);
  });

  for (const kind of ["avatar", "header"] as const satisfies readonly ProfileImageKind[]) {
    app.delete(`/api/v1/profile/${kind}`, requireScope("write:accounts"), active, async (c) => {
      const result = await removeProfileImage(deps, currentAccountId(c.get("auth")), kind);
      if (!result.ok) profileFailure(result.error);
      return c.body(await credentialJson(deps, result.value), 200, JSON_TYPE);
    });
  }

  app.get("/api/v1/preferences", requireScope("read:accounts"), async (c) => {
    const account = await deps.db.repos.accounts.findById(currentAccountId(c.get("auth")));
    if (!account) throw new HttpError(401, "The access token is invalid");
    return c.json(renderPreferences(account));
  });
}
