import { PASSWORD_MAX } from "../../domain/accounts.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Database } from "../../ports/database.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";

export type SignInProblem = { kind: "invalid" } | { kind: "disabled" } | { kind: "pending" };

// Checked against when the login is unknown, so that an unknown login costs as long as a wrong password.
let decoy: Promise<string> | null = null;

/**
 * Checks a login (e-mail or username) and password. Unconfirmed users may sign in (they are told to confirm
 * and cannot post); disabled users and users awaiting approval may not.
 */
export async function checkCredentials(db: Database, login: string, password: string): Promise<Result<UserRecord, SignInProblem>> {
  // Longer than any password we accept: refuse before spending a key derivation on it.
  if (password.length > PASSWORD_MAX * 4) return err({ kind: "invalid" });
  const found = login.trim() === "" || login.length > 320 ? null : await db.repos.users.findByLogin(login);
  if (!found) {
    decoy ??= hashPassword("decoy password for timing");
    await verifyPassword(password, await decoy);
    return err({ kind: "invalid" });
  }
  if (!(await verifyPassword(password, found.passwordHash))) return err({ kind: "invalid" });
  if (found.user.disabled) return err({ kind: "disabled" });
  if (!found.user.approved) return err({ kind: "pending" });
  return ok(found.user);
}
