import type { Kysely } from "kysely";
import type {
  AccessToken,
  NewAccessToken,
  NewOAuthApplication,
  OAuthApplication,
  OAuthRepository,
} from "../../../ports/repositories/oauth.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toIdOrNull, toNum, toNumOrNull } from "./convert.ts";

const splitScopes = (s: string) => s.split(" ").filter(Boolean);

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
    if (!row) return null;
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
      })
      .execute();
  }

  async findActiveTokenByHash(tokenHash: string): Promise<AccessToken | null> {
    const row = await this.#db
      .selectFrom("oauth_access_tokens as t")
      .leftJoin("users as u", "u.id", "t.user_id")
      .select(["t.id", "t.application_id", "t.user_id", "u.account_id", "u.disabled", "t.scopes", "t.created_at", "t.revoked_at"])
      .where("t.token_hash", "=", tokenHash)
      .where("t.revoked_at", "is", null)
      .executeTakeFirst();
    if (!row) return null;
    if (row.user_id !== null && (row.account_id === null || toBool(row.disabled ?? false))) return null;
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

  async revokeToken(id: bigint, now: number): Promise<void> {
    await this.#db.updateTable("oauth_access_tokens").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).execute();
  }
}
