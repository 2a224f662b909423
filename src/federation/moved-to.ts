import type { FederationReadDeps } from "../services/federation/actors.ts";
import type { AccountRecord } from "../ports/repositories/accounts.ts";
import { accountUri, type VocabContext } from "./vocab.ts";

/** The actor id of the account `a` moved to (its `movedTo`), or null when it did not move or that account is gone. */
export async function movedToUri(v: VocabContext, deps: Pick<FederationReadDeps, "db">, a: AccountRecord): Promise<URL | null> {
  if (a.movedToAccountId === null || a.movedToAccountId === undefined) return null;
  const target = await deps.db.repos.accounts.findById(a.movedToAccountId);
  return target ? accountUri(v, target) : null;
}
