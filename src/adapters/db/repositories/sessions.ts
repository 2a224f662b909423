import type { Kysely } from "kysely";
import type { NewWebSession, SessionsRepository, WebSession } from "../../../ports/repositories/sessions.ts";
import type { Tables } from "../schema.ts";
import { toBool, toId, toNum } from "./convert.ts";

/** Web sessions in the `web_sessions` table, looked up by the SHA-256 of the cookie value. */
export class KyselySessionsRepository implements SessionsRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(input: NewWebSession): Promise<void> {
    await this.#db
      .insertInto("web_sessions")
      .values({
        id: input.id,
        session_hash: input.sessionHash,
        user_id: input.userId,
        ip: input.ip,
        user_agent: input.userAgent,
        created_at: input.now,
        last_seen_at: input.now,
        expires_at: input.expiresAt,
      })
      .execute();
  }

  async findActive(sessionHash: string, now: number): Promise<WebSession | null> {
    const row = await this.#db
      .selectFrom("web_sessions as s")
      .innerJoin("users as u", "u.id", "s.user_id")
      .select(["s.id", "s.user_id", "s.created_at", "s.last_seen_at", "s.expires_at", "u.disabled"])
      .where("s.session_hash", "=", sessionHash)
      .where("s.expires_at", ">", BigInt(now))
      .executeTakeFirst();
    if (!row || toBool(row.disabled)) return null;
    return {
      id: toId(row.id),
      userId: toId(row.user_id),
      createdAt: toNum(row.created_at),
      lastSeenAt: toNum(row.last_seen_at),
      expiresAt: toNum(row.expires_at),
    };
  }

  async touch(id: bigint, now: number, expiresAt: number): Promise<void> {
    await this.#db.updateTable("web_sessions").set({ last_seen_at: now, expires_at: expiresAt }).where("id", "=", id).execute();
  }

  async deleteByHash(sessionHash: string): Promise<void> {
    await this.#db.deleteFrom("web_sessions").where("session_hash", "=", sessionHash).execute();
  }

  async deleteForUser(userId: bigint): Promise<void> {
    await this.#db.deleteFrom("web_sessions").where("user_id", "=", userId).execute();
  }

  async purgeExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom("web_sessions").where("expires_at", "<", BigInt(now)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
