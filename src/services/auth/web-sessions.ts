import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { WebSession } from "../../ports/repositories/sessions.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";
import { generateSecret, hashSecret } from "./tokens.ts";

/** A session ends after this long without a visit. */
export const SESSION_IDLE_MS = 30 * 24 * 3600_000;
// Writing last_seen_at on every page view would make each view a write; once an hour is enough to slide expiry.
const TOUCH_EVERY_MS = 3600_000;

export interface SessionDeps {
  readonly db: Database;
  readonly clock: Clock;
}

/** Starts a session for a signed-in user; returns the cookie value (stored only as its hash). */
export async function startSession(
  deps: SessionDeps,
  userId: bigint,
  client: { ip: string | null; userAgent: string | null },
): Promise<{ secret: string; expiresAt: number }> {
  const secret = generateSecret();
  const now = deps.clock.now();
  const expiresAt = now + SESSION_IDLE_MS;
  await deps.db.repos.sessions.create({
    id: await deps.db.nextId(),
    sessionHash: hashSecret(secret),
    userId,
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    now,
    expiresAt,
  });
  await deps.db.repos.users.recordSignIn(userId, now);
  return { secret, expiresAt };
}

/** The live session behind a cookie value and its user, or null (unknown, expired, user disabled or gone). */
export async function resolveSession(deps: SessionDeps, secret: string): Promise<{ session: WebSession; user: UserRecord } | null> {
  if (secret.length === 0 || secret.length > 128) return null;
  const now = deps.clock.now();
  const session = await deps.db.repos.sessions.findActive(hashSecret(secret), now);
  if (!session) return null;
  const user = await deps.db.repos.users.findById(session.userId);
  if (!user || user.disabled) return null;
  if (now - session.lastSeenAt > TOUCH_EVERY_MS) await deps.db.repos.sessions.touch(session.id, now, now + SESSION_IDLE_MS);
  return { session, user };
}

/** Signs a browser out. */
export async function endSession(deps: SessionDeps, secret: string): Promise<void> {
  await deps.db.repos.sessions.deleteByHash(hashSecret(secret));
}
