import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { UserRecord } from "../../ports/repositories/users.ts";

/** Whether a user may act: confirmed, approved and enabled users are active. */
export type UserStanding = "active" | "unconfirmed" | "pending" | "disabled";

/** The messages Mastodon's API answers with (403) for users who may not act (entities/Error.md). */
export const STANDING_MESSAGES: Record<Exclude<UserStanding, "active">, string> = {
  unconfirmed: "Your login is missing a confirmed e-mail address",
  pending: "Your login is currently pending approval",
  disabled: "Your login is currently disabled",
};

/** The user's standing, checked in Mastodon's order: disabled first, then approval, then confirmation. */
export function standingOf(user: Pick<UserRecord, "disabled" | "approved" | "confirmedAt">): UserStanding {
  if (user.disabled) return "disabled";
  if (!user.approved) return "pending";
  if (user.confirmedAt === null) return "unconfirmed";
  return "active";
}

/** True when the user may use the API fully. */
export function isUserActive(user: Pick<UserRecord, "disabled" | "approved" | "confirmedAt">): boolean {
  return standingOf(user) === "active";
}

/**
 * True when the user may publish (statuses, follows, media): an unconfirmed or unapproved user may sign in
 * and look around but not post.
 */
export function canPost(user: Pick<UserRecord, "disabled" | "approved" | "confirmedAt">): boolean {
  return isUserActive(user);
}

/** The standing of a local account's user, as its AccountRecord carries it ("disabled" when there is none). */
export function standingOfAccount(account: Pick<AccountRecord, "user"> | null): UserStanding {
  const user = account?.user;
  if (!user) return "disabled";
  return standingOf({ disabled: user.disabled, approved: user.approved, confirmedAt: user.confirmed ? 0 : null });
}
