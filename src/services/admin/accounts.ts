import { isPlausibleEmail, PASSWORD_MAX, PASSWORD_MIN, usernameProblem, type UsernameProblem } from "../../domain/accounts.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { LocalAccount, UserRole } from "../../ports/repositories/accounts.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { refreshUserCachesJob } from "../accounts/cache-refresh.ts";
import { generateActorKeysJob } from "../federation/key-jobs.ts";
import { generatePassword, hashPassword } from "../auth/passwords.ts";

export interface AdminDeps {
  readonly db: Database;
  readonly clock: Clock;
}

export interface CreateAccountInput {
  readonly username: string;
  readonly email: string;
  /** Omitted: one is generated and returned. */
  readonly password?: string;
  readonly role: UserRole;
  readonly confirmed: boolean;
  readonly approved: boolean;
}

export type CreateAccountError =
  | { kind: "username"; problem: UsernameProblem }
  | { kind: "email_invalid" }
  | { kind: "password_length"; min: number; max: number }
  | { kind: "taken" };

/**
 * Creates a local account as an operator does it from the CLI: reserved names are allowed (an operator may
 * want `admin`), and the account can start confirmed and approved.
 */
export async function createAccount(
  deps: AdminDeps,
  input: CreateAccountInput,
): Promise<Result<{ account: LocalAccount; generatedPassword: string | null }, CreateAccountError>> {
  const problem = usernameProblem(input.username, { allowReserved: true });
  if (problem) return err({ kind: "username", problem });
  if (!isPlausibleEmail(input.email)) return err({ kind: "email_invalid" });
  const generated = input.password === undefined ? generatePassword() : null;
  const password = input.password ?? generated!;
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
    return err({ kind: "password_length", min: PASSWORD_MIN, max: PASSWORD_MAX });
  const passwordHash = await hashPassword(password);
  const created = await deps.db.transaction(async (tx) => {
    const accountId = await tx.nextId();
    const made = await tx.accounts.createLocal({
      accountId,
      userId: await tx.nextId(),
      username: input.username,
      email: input.email,
      passwordHash,
      role: input.role,
      confirmed: input.confirmed,
      approved: input.approved,
      now: deps.clock.now(),
    });
    if (made) await tx.enqueue([jobRequest(generateActorKeysJob, { accountId: String(accountId) })]);
    return made;
  });
  if (!created) return err({ kind: "taken" });
  const account = await deps.db.repos.accounts.findLocalByUsername(input.username);
  return ok({ account: account!, generatedPassword: generated });
}

export interface ModifyAccountInput {
  readonly role?: UserRole;
  readonly disabled?: boolean;
  readonly approve?: boolean;
  readonly resetPassword?: boolean;
}

export type ModifyAccountError = { kind: "not_found" } | { kind: "nothing_to_do" };

/** Changes role, enabled state or approval, or sets a new generated password (returned once). */
export async function modifyAccount(
  deps: AdminDeps,
  username: string,
  input: ModifyAccountInput,
): Promise<Result<{ account: LocalAccount; newPassword: string | null }, ModifyAccountError>> {
  if (input.role === undefined && input.disabled === undefined && !input.approve && !input.resetPassword)
    return err({ kind: "nothing_to_do" });
  const existing = await deps.db.repos.accounts.findLocalByUsername(username);
  if (!existing) return err({ kind: "not_found" });
  const newPassword = input.resetPassword ? generatePassword() : null;
  const passwordHash = newPassword ? await hashPassword(newPassword) : undefined;
  await deps.db.transaction(async (tx) => {
    await tx.accounts.updateLocal(existing.accountId, {
      role: input.role,
      disabled: input.disabled,
      approved: input.approve ? true : undefined,
      passwordHash,
      now: deps.clock.now(),
    });
    // The serving process may hold this user's tokens and account in its cache; the job reaches it.
    await tx.enqueue([jobRequest(refreshUserCachesJob, { userId: String(existing.userId), accountId: String(existing.accountId) })]);
  });
  const account = await deps.db.repos.accounts.findLocalByUsername(username);
  return ok({ account: account!, newPassword });
}

/** Every local account, oldest first, read in pages so a large instance does not load all at once. */
export async function* listAccounts(deps: AdminDeps, pageSize = 500): AsyncGenerator<LocalAccount> {
  let after: bigint | null = null;
  for (;;) {
    const page = await deps.db.repos.accounts.listLocal(after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].accountId;
  }
}
