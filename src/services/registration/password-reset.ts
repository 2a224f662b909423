import { PASSWORD_MAX, PASSWORD_MIN } from "../../domain/accounts.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { fieldError, type FieldError } from "../../domain/validation.ts";
import type { Database } from "../../ports/database.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { sendPasswordResetMailJob } from "./mail-jobs.ts";
import { hashPassword } from "../auth/passwords.ts";
import { hashSecret } from "../auth/tokens.ts";
import type { OAuthDeps } from "../oauth/issue.ts";
import { revokeEverything } from "../oauth/revocation.ts";

/** How long a reset link works (Devise's default). */
export const RESET_TTL_MS = 6 * 3600_000;

/**
 * "Forgot your password?": e-mails a reset link when the address belongs to a user who may sign in. The caller
 * answers the same whatever happens, so the form does not reveal who has an account.
 */
export async function requestPasswordReset(db: Database, email: string): Promise<void> {
  const trimmed = email.trim();
  if (!trimmed.includes("@")) return;
  const found = await db.repos.users.findByLogin(trimmed);
  if (!found || found.user.disabled) return;
  await db.enqueue([jobRequest(sendPasswordResetMailJob, { userId: String(found.user.id) })]);
}

/** The user a reset link is for, or null when the link is unknown, spent or expired. */
export async function userForResetToken(deps: { db: Database; clock: { now(): number } }, token: string | undefined): Promise<UserRecord | null> {
  if (!token || token.length > 128) return null;
  const user = await deps.db.repos.users.findByResetTokenHash(hashSecret(token));
  if (!user || user.disabled || user.resetPasswordSentAt === null) return null;
  return deps.clock.now() - user.resetPasswordSentAt > RESET_TTL_MS ? null : user;
}

export type ResetProblem = { kind: "invalid_token" } | { kind: "invalid"; errors: FieldError[] };

/**
 * Sets a new password through a reset link, then signs the user out everywhere: every token is revoked (and
 * forgotten by the token cache) and every web session ends, since whoever knew the old password may hold them.
 */
export async function resetPassword(
  deps: OAuthDeps,
  input: { token: string | undefined; password: string | undefined; passwordConfirmation: string | undefined },
): Promise<Result<UserRecord, ResetProblem>> {
  const user = await userForResetToken(deps, input.token);
  if (!user) return err({ kind: "invalid_token" });
  const password = input.password ?? "";
  const errors: FieldError[] = [];
  if (password === "") errors.push(fieldError.blank("password"));
  else if (password.length < PASSWORD_MIN) errors.push(fieldError.tooShort("password", PASSWORD_MIN));
  else if (password.length > PASSWORD_MAX) errors.push(fieldError.tooLong("password", PASSWORD_MAX));
  if (input.passwordConfirmation !== undefined && input.passwordConfirmation !== password)
    errors.push(fieldError.invalid("password_confirmation", "doesn't match Password"));
  if (errors.length > 0) return err({ kind: "invalid", errors });
  await deps.db.repos.users.changePassword(user.id, await hashPassword(password), deps.clock.now());
  await revokeEverything(deps, user.id);
  return ok(user);
}
