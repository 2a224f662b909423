import { isPlausibleEmail, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, usernameProblem } from "../../domain/accounts.ts";
import type { RegistrationsMode } from "../../domain/instance.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { fieldError, type FieldError } from "../../domain/validation.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { sendConfirmationMailJob } from "./mail-jobs.ts";
import { generateActorKeysJob } from "../federation/key-jobs.ts";
import { hashPassword } from "../auth/passwords.ts";
import { issueToken, type IssuedToken } from "../oauth/issue.ts";

const REASON_MAX = 1_000;
const EMAIL_MAX = 320;

/** Who may sign up on this instance. */
export interface SignUpPolicy {
  readonly registrationsMode: RegistrationsMode;
  readonly singleUserMode: boolean;
}

export interface SignUpInput {
  readonly username: string | undefined;
  readonly email: string | undefined;
  readonly password: string | undefined;
  /** Only the web form asks for it twice. */
  readonly passwordConfirmation?: string | undefined;
  readonly agreement: boolean | undefined;
  readonly locale: string | undefined;
  readonly reason: string | undefined;
  readonly ip: string | null;
  /** The app that signs the user up through the API (null for the web form). */
  readonly application: { readonly id: bigint; readonly scopes: readonly string[] } | null;
}

export type SignUpProblem = { kind: "closed" } | { kind: "invalid"; errors: FieldError[] };

/** True when this instance takes sign-ups at all. */
export function registrationsOpen(policy: SignUpPolicy): boolean {
  return !policy.singleUserMode && policy.registrationsMode !== "none";
}

/**
 * Creates an account as Mastodon's sign-up does: unconfirmed until the e-mailed link is opened, and in
 * `approved` mode waiting for a moderator (with the reason given). The confirmation e-mail is a job in the same
 * transaction. An API sign-up also gets an access token for the app, with the app's scopes, as Mastodon does.
 */
export async function signUp(
  deps: { readonly db: Database; readonly clock: Clock },
  policy: SignUpPolicy,
  input: SignUpInput,
): Promise<Result<{ user: UserRecord; token: IssuedToken | null }, SignUpProblem>> {
  if (!registrationsOpen(policy)) return err({ kind: "closed" });
  const errors = await validate(deps.db, policy, input);
  if (errors.length > 0) return err({ kind: "invalid", errors });
  const username = input.username!.trim();
  const email = input.email!.trim();
  const passwordHash = await hashPassword(input.password!);
  const now = deps.clock.now();
  const created = await deps.db.transaction(async (tx) => {
    const userId = await tx.nextId();
    const accountId = await tx.nextId();
    const made = await tx.accounts.createLocal({
      accountId,
      userId,
      username,
      email,
      passwordHash,
      role: "user",
      confirmed: false,
      approved: policy.registrationsMode === "open",
      now,
    });
    if (!made) return null;
    await tx.users.recordSignUp(userId, {
      locale: input.locale?.trim() || null,
      approvalReason: policy.registrationsMode === "approved" ? input.reason!.trim() : null,
      agreementAt: now,
      signUpIp: input.ip,
      createdByApplicationId: input.application?.id ?? null,
    });
    await tx.enqueue([
      jobRequest(sendConfirmationMailJob, { userId: String(userId) }),
      jobRequest(generateActorKeysJob, { accountId: String(accountId) }),
    ]);
    const token = input.application
      ? await issueToken(tx, { applicationId: input.application.id, userId, scopes: input.application.scopes, withRefresh: false, now })
      : null;
    return { userId, token };
  });
  // Lost a race for the username or address between the checks and the insert: report it as taken.
  if (!created) {
    const errors = await validate(deps.db, policy, input);
    return err({ kind: "invalid", errors: errors.length > 0 ? errors : [fieldError.taken("username")] });
  }
  const user = await deps.db.repos.users.findById(created.userId);
  return ok({ user: user!, token: created.token });
}

async function validate(db: Database, policy: SignUpPolicy, input: SignUpInput): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const username = (input.username ?? "").trim();
  const problem = usernameProblem(username);
  if (problem === "blank") errors.push(fieldError.blank("username"));
  else if (problem === "too_long") errors.push(fieldError.tooLong("username", USERNAME_MAX));
  else if (problem === "invalid") errors.push(fieldError.invalid("username", "must contain only letters, numbers and underscores"));
  else if (problem === "reserved") errors.push(fieldError.reserved("username"));
  else if (await db.repos.accounts.findLocalByUsername(username)) errors.push(fieldError.taken("username"));

  const email = (input.email ?? "").trim();
  if (email === "") errors.push(fieldError.blank("email"));
  else if (email.length > EMAIL_MAX) errors.push(fieldError.tooLong("email", EMAIL_MAX));
  else if (!isPlausibleEmail(email)) errors.push(fieldError.invalid("email"));
  else if (await db.repos.users.emailTaken(email, null)) errors.push(fieldError.taken("email"));

  const password = input.password ?? "";
  if (password === "") errors.push(fieldError.blank("password"));
  else if (password.length < PASSWORD_MIN) errors.push(fieldError.tooShort("password", PASSWORD_MIN));
  else if (password.length > PASSWORD_MAX) errors.push(fieldError.tooLong("password", PASSWORD_MAX));
  if (input.passwordConfirmation !== undefined && input.passwordConfirmation !== password)
    errors.push(fieldError.invalid("password_confirmation", "doesn't match Password"));

  if (input.agreement !== true) errors.push(fieldError.accepted("agreement"));

  const locale = (input.locale ?? "").trim();
  if (locale !== "" && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) errors.push(fieldError.inclusion("locale"));

  if (policy.registrationsMode === "approved") {
    const reason = (input.reason ?? "").trim();
    if (reason === "") errors.push(fieldError.blank("reason"));
    else if (reason.length > REASON_MAX) errors.push(fieldError.tooLong("reason", REASON_MAX));
  }
  return errors;
}
