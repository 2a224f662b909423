import { err, ok, type Result } from "../../domain/result.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { RuleRecord } from "../../ports/repositories/instance.ts";
import { forgetInstanceCaches, refreshInstanceCachesJob } from "./cache-jobs.ts";
import type { InstanceDeps } from "./deps.ts";

/** Mastodon's Rule validations: text up to 300 characters, hint up to 2000. */
export const RULE_TEXT_MAX = 300;
export const RULE_HINT_MAX = 2_000;

export type RuleError = { readonly kind: "invalid"; readonly message: string } | { readonly kind: "not_found" };

/** Runs a rule change and, in the same transaction, the job that drops cached copies in the serving process. */
async function changed(deps: InstanceDeps, change: (tx: Tx) => Promise<void>): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await change(tx);
    await tx.enqueue([jobRequest(refreshInstanceCachesJob, { reason: "rules" })]);
  });
  await forgetInstanceCaches(deps.cache);
}

/** The server rules, in the order they were added. */
export function listRules(deps: InstanceDeps): Promise<RuleRecord[]> {
  return deps.db.repos.instance.listRules();
}

/** Adds a rule at the end. */
export async function addRule(deps: InstanceDeps, text: string, hint = ""): Promise<Result<RuleRecord, RuleError>> {
  const t = text.trim();
  const h = hint.trim();
  if (t === "") return err({ kind: "invalid", message: "the rule's text is empty" });
  if ([...t].length > RULE_TEXT_MAX) return err({ kind: "invalid", message: `the rule's text is longer than ${RULE_TEXT_MAX} characters` });
  if ([...h].length > RULE_HINT_MAX) return err({ kind: "invalid", message: `the hint is longer than ${RULE_HINT_MAX} characters` });
  let rule: RuleRecord | null = null;
  await changed(deps, async (tx) => {
    rule = { id: await tx.nextId(), text: t, hint: h, createdAt: deps.clock.now() };
    await tx.instance.addRule(rule);
  });
  return ok(rule!);
}

/** Removes a rule by id. */
export async function removeRule(deps: InstanceDeps, id: bigint): Promise<Result<void, RuleError>> {
  let removed = false;
  await changed(deps, async (tx) => {
    removed = await tx.instance.removeRule(id);
  });
  return removed ? ok(undefined) : err({ kind: "not_found" });
}
