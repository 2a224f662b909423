import { domainToASCII } from "node:url";
import { err, ok, type Result } from "../../domain/result.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import type { RelationshipDeps, RelationshipError } from "./deps.ts";

/**
 * A domain as Mastodon stores it: trimmed, without a trailing slash, lower-cased, internationalised names in
 * their ASCII (punycode) form; for a blank or malformed one, the reason it is refused.
 */
export function normalizeDomain(input: string | undefined): { domain: string } | { problem: string } {
  const raw = (input ?? "").trim().replace(/\/$/, "");
  if (raw === "") return { problem: "Validation failed: Domain can't be blank" };
  const invalid = { problem: "Validation failed: Domain is not a valid domain name" };
  if (/[\s/@:?#]/.test(raw)) return invalid;
  const ascii = domainToASCII(raw.toLowerCase());
  if (!ascii || ascii.length >= 253) return invalid;
  if (!ascii.split(".").every((label) => label.length >= 1 && label.length <= 63 && /^[a-z0-9_-]+$/.test(label))) return invalid;
  return { domain: ascii };
}

/**
 * Blocks a whole domain for one account: its followers there are removed and their pending requests dropped
 * (Mastodon's BlockDomainFromAccountService). Blocking twice is not an error.
 */
export async function blockDomain(deps: RelationshipDeps, accountId: bigint, input: string | undefined): Promise<Result<void, RelationshipError>> {
  const n = normalizeDomain(input);
  if ("problem" in n) return err({ kind: "invalid", message: n.problem });
  const removed = await deps.db.transaction(async (tx) => {
    await tx.relationships.blockDomain(await tx.nextId(), accountId, n.domain, deps.clock.now());
    return tx.relationships.removeFollowersFromDomain(accountId, n.domain);
  });
  await forgetAccounts(deps.cache, [accountId, ...removed]);
  return ok(undefined);
}

/** Lifts a domain block; not blocking it is not an error. */
export async function unblockDomain(deps: RelationshipDeps, accountId: bigint, input: string | undefined): Promise<Result<void, RelationshipError>> {
  const n = normalizeDomain(input);
  if ("problem" in n) return err({ kind: "invalid", message: n.problem });
  await deps.db.transaction((tx) => tx.relationships.unblockDomain(accountId, n.domain));
  return ok(undefined);
}
