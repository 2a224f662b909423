import { err, ok, type Result } from "../../domain/result.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import { forgetAccounts } from "./account-cache.ts";
import type { InboundDeps } from "../federation/deps.ts";
import { moveFollowers } from "../federation/inbound-accounts.ts";
import { federate } from "../federation/outbound.ts";

export type MigrationError =
  | { readonly kind: "not_found"; readonly message: string }
  | { readonly kind: "invalid"; readonly message: string };

/** The actor id of a local account, as other servers list it in alsoKnownAs. */
function localUri(deps: InboundDeps, a: AccountRecord): string {
  return `${deps.instance.baseUrl}/users/${a.username}`;
}

async function localAccount(deps: InboundDeps, accountId: bigint): Promise<Result<AccountRecord, MigrationError>> {
  const account = await deps.db.repos.accounts.findById(accountId);
  if (!account || account.domain !== null) return err({ kind: "not_found", message: "no such local account" });
  return ok(account);
}

/**
 * Adds or removes an alias of a local account (Mastodon's account aliases): the actor ids it is also known as,
 * which a Move from one of them to this account needs. Remote servers learn of it through an Update.
 */
export async function setAccountAlias(deps: InboundDeps, accountId: bigint, alias: AccountRecord, present: boolean): Promise<Result<readonly string[], MigrationError>> {
  const found = await localAccount(deps, accountId);
  if (!found.ok) return found;
  const account = found.value;
  if (alias.id === account.id) return err({ kind: "invalid", message: "an account cannot be its own alias" });
  const uri = alias.domain === null ? localUri(deps, alias) : alias.uri;
  if (!uri) return err({ kind: "invalid", message: "the alias has no ActivityPub id" });
  const current = account.alsoKnownAs ?? [];
  const next = present ? [...new Set([...current, uri])] : current.filter((u) => u !== uri);
  await deps.db.transaction(async (tx) => {
    await tx.accounts.setMigration(account.id, { alsoKnownAs: next }, deps.clock.now());
    await federate(tx, { type: "update-actor", accountId: String(account.id) });
  });
  await forgetAccounts(deps.cache, [account.id]);
  return ok(next);
}

/**
 * Moves a local account to `target` (Mastodon's account migration): allowed only when the target lists this
 * account among its aliases (alsoKnownAs), as Mastodon checks. The account records where it went, its remote
 * followers' servers get a Move (and they move their followers), and its local followers follow the target.
 * Returns how many local followers moved.
 */
export async function moveAccount(deps: InboundDeps, accountId: bigint, target: AccountRecord): Promise<Result<number, MigrationError>> {
  const found = await localAccount(deps, accountId);
  if (!found.ok) return found;
  const account = found.value;
  if (target.id === account.id) return err({ kind: "invalid", message: "an account cannot move to itself" });
  if (target.suspendedAt !== null) return err({ kind: "invalid", message: "the target account is suspended" });
  if (!(target.alsoKnownAs ?? []).includes(localUri(deps, account)))
    return err({ kind: "invalid", message: `the target account must list ${localUri(deps, account)} as an alias (alsoKnownAs) first` });
  await deps.db.transaction(async (tx) => {
    await tx.accounts.setMigration(account.id, { movedToAccountId: target.id }, deps.clock.now());
    await federate(tx, { type: "move", accountId: String(account.id), targetAccountId: String(target.id) });
    await federate(tx, { type: "update-actor", accountId: String(account.id) });
  });
  await forgetAccounts(deps.cache, [account.id]);
  return ok(await moveFollowers(deps, account.id, target.id));
}
