import { domainPolicy } from "./domain-policy.ts";
import type { InboundDeps } from "./deps.ts";

/** Longest comment kept from a remote report (Mastodon keeps local ones to 1,000 characters). */
const MAX_COMMENT = 5_000;
/** Statuses a report may name. */
const MAX_STATUSES = 100;

/**
 * A Flag from a remote server: a report about a local account and some of its statuses (those named that are
 * not the account's are dropped), from the remote instance (reporter null) unless the inbox names a known
 * reporting account. A repeated Flag (same uri) adds nothing. Returns the report's id, or null when refused
 * (no such local account) or repeated.
 */
export async function receiveFlag(
  deps: InboundDeps,
  input: { targetAccountId: bigint; statusIds: readonly bigint[]; comment: string; uri: string | null; reporterId?: bigint | null },
): Promise<bigint | null> {
  const target = await deps.db.repos.accounts.findById(input.targetAccountId);
  if (!target || target.domain !== null) return null;
  // Reports from a domain blocked with --reject-reports are dropped, as Mastodon drops them.
  if (input.reporterId) {
    const reporter = await deps.db.repos.accounts.findById(input.reporterId);
    if (reporter?.domain && (await domainPolicy(deps, reporter.domain)).rejectReports) return null;
  }
  if (input.uri !== null && (await deps.db.repos.reports.findByUri(input.uri))) return null;
  const statuses = await deps.db.repos.statuses.findByIds([...new Set(input.statusIds)].slice(0, MAX_STATUSES));
  const statusIds = statuses.filter((s) => s.accountId === target.id).map((s) => s.id);
  const comment = [...input.comment].slice(0, MAX_COMMENT).join("");
  const id = await deps.db.nextId();
  const created = await deps.db.repos.reports.create({
    id, accountId: input.reporterId ?? null, targetAccountId: target.id, statusIds, comment, uri: input.uri, createdAt: deps.clock.now(),
  });
  return created ? id : null;
}
