/** Mastodon's username rule: letters, digits and underscores, with dots and dashes only inside; 30 at most. */
const USERNAME = /^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$/i;
export const USERNAME_MAX = 30;

/** Names that would collide with paths, roles or well-known mailboxes (Mastodon reserves the same kind). */
const RESERVED = new Set([
  "admin", "support", "help", "root", "webmaster", "administrator", "mod", "moderator", "postmaster",
  "hostmaster", "abuse", "security", "noreply", "no-reply", "mastodon", "herd", "instance", "actor",
  "api", "oauth", "settings", "auth", "about", "explore", "system", "inbox", "users", "well-known",
]);

export type UsernameProblem = "blank" | "too_long" | "invalid" | "reserved";

/** What is wrong with a new local username, or null when it is fine. */
export function usernameProblem(username: string, { allowReserved = false } = {}): UsernameProblem | null {
  if (username.length === 0) return "blank";
  if (username.length > USERNAME_MAX) return "too_long";
  if (!USERNAME.test(username)) return "invalid";
  if (!allowReserved && RESERVED.has(username.toLowerCase())) return "reserved";
  return null;
}

/** A deliberately plain e-mail check (one @, a dot in the domain, no spaces); confirmation proves the rest. */
export function isPlausibleEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 320;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 72;
