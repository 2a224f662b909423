import { err, ok, type Result } from "../../domain/result.ts";
import type { RelationshipDeps, RelationshipError } from "./deps.ts";

/** Longest mute duration accepted (ten years); longer is simply "until unmuted". */
const MAX_DURATION_SECONDS = 10 * 365 * 24 * 3600;

export interface MuteInput {
  /** Hide notifications from the account too; Mastodon's default is true. */
  readonly notifications?: boolean;
  /** Seconds; 0 or absent means until unmuted. */
  readonly durationSeconds?: number;
}

/**
 * Mutes `targetId`, or changes an existing mute (notifications, duration restarting now). An expired mute is
 * simply replaced. Muting oneself does nothing.
 */
export async function muteAccount(deps: RelationshipDeps, accountId: bigint, targetId: bigint, input: MuteInput): Promise<Result<void, RelationshipError>> {
  const duration = input.durationSeconds ?? 0;
  if (!Number.isFinite(duration) || duration < 0)
    return err({ kind: "invalid", message: "Validation failed: Duration must be a number of seconds, 0 or more" });
  if (accountId === targetId) return ok(undefined);
  const now = deps.clock.now();
  const expiresAt = duration > 0 && duration <= MAX_DURATION_SECONDS ? now + Math.floor(duration) * 1000 : null;
  await deps.db.transaction(async (tx) =>
    tx.relationships.mute({
      id: await tx.nextId(),
      accountId,
      targetAccountId: targetId,
      hideNotifications: input.notifications ?? true,
      expiresAt,
      now,
    }),
  );
  return ok(undefined);
}

/** Lifts a mute; not muting is not an error. */
export async function unmuteAccount(deps: RelationshipDeps, accountId: bigint, targetId: bigint): Promise<void> {
  await deps.db.transaction((tx) => tx.relationships.unmute(accountId, targetId));
}
