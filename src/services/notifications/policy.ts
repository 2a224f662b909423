import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { NotificationPolicyRecord, PolicyAction } from "../../ports/repositories/notifications.ts";

/** Mastodon 4.5's defaults: private mentions from strangers and moderator-limited accounts are filtered. */
export const DEFAULT_POLICY: NotificationPolicyRecord = {
  forNotFollowing: "accept",
  forNotFollowers: "accept",
  forNewAccounts: "accept",
  forPrivateMentions: "filter",
  forLimitedAccounts: "filter",
};

/** Mastodon's NotificationRequest::MAX_MEANINGFUL_COUNT: counts above it render as "100+" in clients. */
export const REQUEST_COUNT_CAP = 100;

const ACTIONS: readonly PolicyAction[] = ["accept", "filter", "drop"];

/** The policy's rules as the v2 API names them. */
export const POLICY_FIELDS = {
  for_not_following: "forNotFollowing",
  for_not_followers: "forNotFollowers",
  for_new_accounts: "forNewAccounts",
  for_private_mentions: "forPrivateMentions",
  for_limited_accounts: "forLimitedAccounts",
} as const satisfies Record<string, keyof NotificationPolicyRecord>;

export type PolicyField = keyof typeof POLICY_FIELDS;

export function isPolicyAction(value: string): value is PolicyAction {
  return (ACTIONS as readonly string[]).includes(value);
}

/** A policy with what waits in its requests. */
export interface PolicyView {
  readonly policy: NotificationPolicyRecord;
  readonly pendingRequests: number;
  readonly pendingNotifications: number;
}

/** The viewer's notification policy (Mastodon's defaults until changed) and its summary. */
export async function getPolicy(deps: { readonly db: Database }, viewerId: bigint): Promise<PolicyView> {
  const repo = deps.db.repos.notifications;
  const [policy, summary] = await Promise.all([repo.findPolicy(viewerId), repo.requestSummary(viewerId, REQUEST_COUNT_CAP)]);
  return { policy: policy ?? DEFAULT_POLICY, pendingRequests: summary.requests, pendingNotifications: summary.notifications };
}

/**
 * Changes some of the viewer's policy rules (the others keep their values). Applies to notifications from now
 * on, as in Mastodon: what was filtered stays in its requests.
 */
export async function updatePolicy(
  deps: { readonly db: Database; readonly clock: Clock },
  viewerId: bigint,
  changes: Partial<Record<PolicyField, PolicyAction>>,
): Promise<PolicyView> {
  await deps.db.transaction(async (tx) => {
    const current = (await tx.notifications.findPolicy(viewerId)) ?? DEFAULT_POLICY;
    const next: { -readonly [K in keyof NotificationPolicyRecord]: PolicyAction } = { ...current };
    for (const [field, action] of Object.entries(changes) as [PolicyField, PolicyAction][]) next[POLICY_FIELDS[field]] = action;
    await tx.notifications.savePolicy(viewerId, next, deps.clock.now());
  });
  return getPolicy(deps, viewerId);
}
