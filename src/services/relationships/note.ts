import { ACCOUNT_NOTE_MAX } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { charLength, storableText } from "../../domain/text-format.ts";
import type { RelationshipDeps, RelationshipError } from "./deps.ts";

/** Sets the private note about `targetId`; a blank comment deletes it. */
export async function setAccountNote(deps: RelationshipDeps, accountId: bigint, targetId: bigint, comment: string | undefined): Promise<Result<void, RelationshipError>> {
  const clean = storableText(comment ?? "");
  const text = clean.trim() !== "" ? clean : null;
  if (text !== null && charLength(text) > ACCOUNT_NOTE_MAX)
    return err({ kind: "invalid", message: `Validation failed: Comment is too long (maximum is ${ACCOUNT_NOTE_MAX} characters)` });
  await deps.db.transaction(async (tx) => tx.relationships.setNote(await tx.nextId(), accountId, targetId, text, deps.clock.now()));
  return ok(undefined);
}
