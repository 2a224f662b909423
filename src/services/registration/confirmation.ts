import { isPlausibleEmail } from "../../domain/accounts.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { fieldError, type FieldError } from "../../domain/validation.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { sendConfirmationMailJob } from "./mail-jobs.ts";
import { hashSecret } from "../auth/tokens.ts";

/** How long a confirmation link works. */
export const CONFIRMATION_TTL_MS = 2 * 24 * 3600_000;

export type ConfirmProblem = { kind: "invalid" } | { kind: "expired" };

/** Confirms the address a link was sent to (a changed address replaces the old one now). */
export async function confirmEmail(deps: { db: Database; clock: Clock }, token: string | undefined): Promise<Result<UserRecord, ConfirmProblem>> {
  if (!token || token.length > 128) return err({ kind: "invalid" });
  const user = await deps.db.repos.users.findByConfirmationTokenHash(hashSecret(token));
  if (!user) return err({ kind: "invalid" });
  const now = deps.clock.now();
  if (user.confirmationSentAt === null || now - user.confirmationSentAt > CONFIRMATION_TTL_MS) return err({ kind: "expired" });
  await deps.db.repos.users.confirm(user.id, now);
  return ok((await deps.db.repos.users.findById(user.id))!);
}

export type ResendProblem =
  | { kind: "wrong_application" }
  | { kind: "already_confirmed" }
  | { kind: "invalid"; errors: FieldError[] };

/** Mastodon's wording for ResendProblem (methods/emails.md). */
export const RESEND_PROBLEM_TEXT = {
  wrong_application: "This method is only available to the application the user originally signed-up with",
  already_confirmed: "This method is only available while the e-mail is awaiting confirmation",
} as const;

/**
 * POST /api/v1/emails/confirmations: only the app that signed the user up may ask, only while the address is
 * unconfirmed; a new `email` replaces the address waiting for confirmation before the link is sent again.
 */
export async function resendConfirmation(
  deps: { db: Database; clock: Clock },
  input: { userId: bigint; applicationId: bigint | null; email: string | undefined },
): Promise<Result<void, ResendProblem>> {
  const user = await deps.db.repos.users.findById(input.userId);
  if (!user || input.applicationId === null || user.createdByApplicationId !== input.applicationId)
    return err({ kind: "wrong_application" });
  if (user.confirmedAt !== null) return err({ kind: "already_confirmed" });
  const email = input.email?.trim();
  if (email !== undefined) {
    if (email === "") return err({ kind: "invalid", errors: [fieldError.blank("email")] });
    if (!isPlausibleEmail(email)) return err({ kind: "invalid", errors: [fieldError.invalid("email")] });
    if (await deps.db.repos.users.emailTaken(email, user.id)) return err({ kind: "invalid", errors: [fieldError.taken("email")] });
  }
  await deps.db.transaction(async (tx) => {
    if (email !== undefined && email.toLowerCase() !== user.email.toLowerCase())
      await tx.users.setUnconfirmedEmail(user.id, email, deps.clock.now());
    await tx.enqueue([jobRequest(sendConfirmationMailJob, { userId: String(user.id) })]);
  });
  return ok(undefined);
}

/**
 * The web form "Didn't receive confirmation instructions?": sends the link again when the address belongs to an
 * unconfirmed user. Answers the same either way, so the form does not reveal who has an account.
 */
export async function resendConfirmationByEmail(db: Database, email: string): Promise<void> {
  const found = email.trim() === "" ? null : await db.repos.users.findByLogin(email.trim());
  if (!found || found.user.confirmedAt !== null || found.user.disabled || !email.includes("@")) return;
  await db.enqueue([jobRequest(sendConfirmationMailJob, { userId: String(found.user.id) })]);
}
