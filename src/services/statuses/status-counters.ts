import type { Visibility } from "../../domain/profile.ts";

/** Mastodon leaves direct messages out of statuses_count and last_status_at. */
export function countsTowardsProfile(visibility: Visibility): boolean {
  return visibility !== "direct";
}

/** Mastodon counts only "distributable" (public and unlisted) replies in the parent's replies_count. */
export function repliesCountable(visibility: Visibility): boolean {
  return visibility === "public" || visibility === "unlisted";
}
