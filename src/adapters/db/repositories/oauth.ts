import type { Kysely, Selectable } from "kysely";
import type {
  AccessGrant,
  AccessToken,
  AuthorizedApplication,
  NewAccessGrant,
  NewAccessToken,
  NewOAuthApplication,
  OAuthApplication,
  OAuthRepository,
} from "../../../ports/repositories/oauth.ts";
import type { OAuthApplicationsTable, Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum, toNumOrNull } from "./convert.ts";

const splitScopes = (s: string) => s.split(" ").filter(Boolean);

/** OAuth applications, access tokens and authorization codes; every secret is looked up by its SHA-256. */
export class KyselyOAuthRepository implements OAuthRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async createApplication(input: NewOAuthApplication): Promise<void> {
    await this.#db
      .insertInto("oauth_applications")
      .values({
        id: input.id,
        name: input.name,
        client_id: input.clientId,
        client_secret_hash: input.clientSecretHash,
        redirect_uris: input.redirectUris.join("\n"),
        scopes: input.scopes.join(" "),
        website: input.website,
        owner_user_id: input.ownerUserId,
        created_at: input.now,
      })
      .execute();
  }

  async findApplicationByClientId(clientId: string): Promise<OAuthApplication | null> {
    const row = await this.#db.selectFrom("oauth_applications").selectAll().where("client_id", "=", clientId).executeTakeFirst();
    return row ? toApplication(row) : null;
  }

  async findApplicationByCredentials(clientId: string, clientSecretHash: string): Promise<OAuthApplication | null> {
    const row = await this.#db
      .selectFrom("oauth_applications")
      .selectAll()
      .where("client_id", "=", clientId)
      .where("client_secret_hash", "=", clientSecretHash)
      .executeTakeFirst();
    return row ? toApplication(row) : null;
  }

  async findApplicationById(id: bigint): Promise<OAuthApplication | null> {
    const row = await this.#db.selectFrom("oauth_applications").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toApplication(row) : null;
  }

  async createAccessToken(input: NewAccessToken): Promise<void> {
    await this.#db
      .insertInto("oauth_access_tokens")
      .values({
        id: input.id,
        token_hash: input.tokenHash,
        application_id: input.applicationId,
        user_id: input.userId,
        scopes: input.scopes.join(" "),
        created_at: input.now,
        refresh_token_hash: input.refreshTokenHash ?? null,
        grant_id: input.grantId ?? null,
      })
      .execute();
  }

  #selectTokens() {
    return this.#db
      .selectFrom("oauth_access_tokens as t")
      .leftJoin("users as u", "u.id", "t.user_id")
      .select(["t.id", "t.token_hash", "t.application_id", "t.user_id", "u.account_id", "u.disabled", "t.scopes", "t.created_at", "t.revoked_at"]);
  }

  async findActiveTokenByHash(tokenHash: string): Promise<AccessToken | null> {
    const row = await this.#selectTokens().where("t.token_hash", "=", tokenHash).where("t.revoked_at", "is", null).executeTakeFirst();
    if (!row) return null;
    if (row.user_id !== null && (row.account_id === null || toBool(row.disabled ?? false))) return null;
    return toToken(row);
  }

  async findTokenByHash(tokenHash: string): Promise<AccessToken | null> {
    const row = await this.#selectTokens().where("t.token_hash", "=", tokenHash).executeTakeFirst();
    return row ? toToken(row) : null;
  }

  async findTokenByRefreshHash(refreshTokenHash: string): Promise<(AccessToken & { tokenHash: string; grantId: bigint | null }) | null> {
    const row = await this.#selectTokens().select("t.grant_id").where("t.refresh_token_hash", "=", refreshTokenHash).executeTakeFirst();
    return row ? { ...toToken(row), tokenHash: row.token_hash, grantId: toIdOrNull(row.grant_id) } : null;
  }

  async revokeToken(id: bigint, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable("oauth_access_tokens")
      .set({ revoked_at: now })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async revokeUserTokens(userId: bigint, applicationId: bigint | null, now: number): Promise<string[]> {
    let q = this.#db
      .updateTable("oauth_access_tokens")
      .set({ revoked_at: now })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null);
    if (applicationId !== null) q = q.where("application_id", "=", applicationId);
    const rows = await q.returning("token_hash").execute();
    return rows.map((r) => r.token_hash);
  }

  async tokenHashesOfUser(userId: bigint): Promise<string[]> {
    const rows = await this.#db.selectFrom("oauth_access_tokens").select("token_hash").where("user_id", "=", userId).execute();
    return rows.map((r) => r.token_hash);
  }

  async revokeTokensOfGrant(grantId: bigint, now: number): Promise<string[]> {
    const rows = await this.#db
      .updateTable("oauth_access_tokens")
      .set({ revoked_at: now })
      .where("grant_id", "=", grantId)
      .where("revoked_at", "is", null)
      .returning("token_hash")
      .execute();
    return rows.map((r) => r.token_hash);
  }

  async listAuthorizedApplications(userId: bigint): Promise<AuthorizedApplication[]> {
    const tokens = await this.#db
      .selectFrom("oauth_access_tokens")
      .select(["application_id", "scopes", "created_at", "last_used_at"])
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .where("application_id", "is not", null)
      .execute();
    const byApp = new Map<string, { scopes: Set<string>; authorizedAt: number; lastUsedAt: number | null }>();
    for (const t of tokens) {
      const key = String(t.application_id);
      const entry = byApp.get(key) ?? { scopes: new Set<string>(), authorizedAt: Infinity, lastUsedAt: null };
      for (const s of splitScopes(t.scopes)) entry.scopes.add(s);
      entry.authorizedAt = Math.min(entry.authorizedAt, toNum(t.created_at));
      const used = toNumOrNull(t.last_used_at);
      if (used !== null && (entry.lastUsedAt === null || used > entry.lastUsedAt)) entry.lastUsedAt = used;
      byApp.set(key, entry);
    }
    if (byApp.size === 0) return [];
    const apps = await this.#db
      .selectFrom("oauth_applications")
      .selectAll()
      .where("id", "in", [...byApp.keys()].map((k) => BigInt(k)))
      .execute();
    return apps
      .map((row) => {
        const entry = byApp.get(String(row.id))!;
        return { application: toApplication(row), scopes: [...entry.scopes], authorizedAt: entry.authorizedAt, lastUsedAt: entry.lastUsedAt };
      })
      .sort((a, b) => b.authorizedAt - a.authorizedAt);
  }

  async createGrant(input: NewAccessGrant): Promise<void> {
    await this.#db
      .insertInto("oauth_access_grants")
      .values({
        id: input.id,
        code_hash: input.codeHash,
        application_id: input.applicationId,
        user_id: input.userId,
        redirect_uri: input.redirectUri,
        scopes: input.scopes.join(" "),
        code_challenge: input.codeChallenge,
        code_challenge_method: input.codeChallengeMethod,
        expires_at: input.expiresAt,
        created_at: input.now,
      })
      .execute();
  }

  async findGrantByCodeHash(codeHash: string): Promise<AccessGrant | null> {
    const row = await this.#db.selectFrom("oauth_access_grants").selectAll().where("code_hash", "=", codeHash).executeTakeFirst();
    if (!row) return null;
    return {
      id: toId(row.id),
      applicationId: toId(row.application_id),
      userId: toId(row.user_id),
      redirectUri: row.redirect_uri,
      scopes: splitScopes(row.scopes),
      codeChallenge: row.code_challenge,
      codeChallengeMethod: row.code_challenge_method === "S256" || row.code_challenge_method === "plain" ? row.code_challenge_method : null,
      expiresAt: toNum(row.expires_at),
      usedAt: toNumOrNull(row.used_at),
      createdAt: toNum(row.created_at),
    };
  }

  async spendGrant(id: bigint, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable("oauth_access_grants")
      .set({ used_at: now })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async spendUserGrants(userId: bigint, applicationId: bigint | null, now: number): Promise<void> {
    let q = this.#db.updateTable("oauth_access_grants").set({ used_at: now }).where("user_id", "=", userId).where("used_at", "is", null);
    if (applicationId !== null) q = q.where("application_id", "=", applicationId);
    await q.execute();
  }

  async purgeGrants(before: number): Promise<number> {
    const result = await this.#db.deleteFrom("oauth_access_grants").where("expires_at", "<", BigInt(before)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toApplication(row: Selectable<OAuthApplicationsTable>): OAuthApplication {
  return {
    id: toId(row.id),
    name: row.name,
    clientId: row.client_id,
    redirectUris: row.redirect_uris.split("\n").filter(Boolean),
    scopes: splitScopes(row.scopes),
    website: row.website,
    createdAt: toNum(row.created_at),
  };
}

function toToken(row: {
  id: bigint | string;
  application_id: bigint | string | null;
  user_id: bigint | string | null;
  account_id: bigint | string | null;
  scopes: string;
  created_at: bigint | string;
  revoked_at: bigint | string | null;
}): AccessToken {
  return {
    id: toId(row.id),
    applicationId: toIdOrNull(row.application_id),
    userId: toIdOrNull(row.user_id),
    accountId: toIdOrNull(row.account_id),
    scopes: splitScopes(row.scopes),
    createdAt: toNum(row.created_at),
    revokedAt: toNumOrNull(row.revoked_at),
  };
}

