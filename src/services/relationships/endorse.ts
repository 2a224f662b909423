import { err, ok, type Result } from "../../domain/result.ts";
import type { RelationshipDeps, RelationshipError } from "./deps.ts";

/**
 * Features `targetId` on the account's profile. As in Mastodon, only an account one follows can be endorsed;
 * endorsing twice is not an error.
 */
export async function endorseAccount(deps: RelationshipDeps, accountId: bigint, targetId: bigint): Promise<Result<void, RelationshipError>> {
  return deps.db.transaction(async (tx): Promise<Result<void, RelationshipError>> => {
    if (!(await tx.relationships.findFollow(accountId, targetId)))
      return err({ kind: "invalid", message: "Validation failed: You must be already following the person you want to endorse" });
    await tx.relationships.endorse(await tx.nextId(), accountId, targetId, deps.clock.now());
    return ok(undefined);
  });
}

/** Stops featuring `targetId`; not featuring it is not an error. */
export async function unendorseAccount(deps: RelationshipDeps, accountId: bigint, targetId: bigint): Promise<void> {
  await deps.db.transaction((tx) => tx.relationships.unendorse(accountId, targetId));
}
