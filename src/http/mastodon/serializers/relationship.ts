import type { RelationshipState } from "../../../ports/repositories/relationships.ts";

/**
 * Mastodon's Relationship entity. Follow options (reblogs, notify, languages) come from the follow, or from the
 * pending request while it waits.
 */
export function renderRelationship(id: bigint, s: RelationshipState): Record<string, unknown> {
  const options = s.following ?? s.requested;
  return {
    id: String(id),
    following: s.following !== null,
    showing_reblogs: options?.showReblogs ?? false,
    notifying: options?.notify ?? false,
    languages: options?.languages ?? null,
    followed_by: s.followedBy,
    blocking: s.blocking,
    blocked_by: s.blockedBy,
    muting: s.muting !== null,
    muting_notifications: s.muting?.hideNotifications ?? false,
    muting_expires_at: s.muting?.expiresAt ? new Date(s.muting.expiresAt).toISOString() : null,
    requested: s.requested !== null,
    requested_by: s.requestedBy,
    domain_blocking: s.domainBlocking,
    endorsed: s.endorsed,
    note: s.note,
  };
}
