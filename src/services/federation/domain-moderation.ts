import { createHash } from "node:crypto";
import { z } from "zod";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Tx } from "../../ports/database.ts";
import { jobRequest, type JobContract } from "../../ports/job-queue.ts";
import type { DomainAllowRecord, DomainBlockRecord, DomainBlockSeverity } from "../../ports/repositories/domain-moderation.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import { forgetDomainPolicies, normalizeDomain, type DomainPolicyDeps } from "./domain-policy.ts";

/** What changing domain blocks and allows uses. */
export interface DomainModerationDeps extends DomainPolicyDeps {
  readonly cache: Cache;
}

export type DomainModerationError =
  | { readonly kind: "invalid_domain"; readonly message: string }
  | { readonly kind: "own_domain" }
  | { readonly kind: "comment_too_long"; readonly max: number }
  | { readonly kind: "not_found"; readonly domain: string };

/** A block to make or change; an absent field keeps the current value (a new block: silence, no options). */
export interface BlockDomainInput {
  readonly domain: string;
  readonly severity?: DomainBlockSeverity;
  readonly rejectMedia?: boolean;
  readonly rejectReports?: boolean;
  readonly obfuscate?: boolean;
  /** Blank clears. */
  readonly publicComment?: string | null;
  readonly privateComment?: string | null;
}

export interface BlockDomainResult {
  readonly block: DomainBlockRecord;
  /** False when the block already existed and was updated. */
  readonly created: boolean;
  /** Accounts whose suspension or silence the change set or lifted. */
  readonly accountsChanged: number;
}

const MAX_COMMENT = 5_000;

function domainOf(deps: DomainPolicyDeps, input: string): Result<string, DomainModerationError> {
  const n = normalizeDomain(input);
  if (!n.ok) return err(n.error);
  const own = [deps.instance.localDomain, deps.instance.webDomain].map((d) => d.toLowerCase());
  if (own.includes(n.domain)) return err({ kind: "own_domain" });
  return ok(n.domain);
}

function comment(value: string | null | undefined, current: string | null): string | null {
  if (value === undefined) return current;
  return value === null || value.trim() === "" ? null : value.trim();
}

/**
 * Drops the cached domain policies and the cached renderings of the changed accounts in the worker's process:
 * `herd admin domains` runs in its own process, and with the embedded in-memory cache only the `herd start`
 * process can drop its copies (its worker runs this job). Other processes' policies expire within
 * DOMAIN_POLICY_TTL_MS.
 */
export const domainModerationChangedJob: JobContract<{ accountIds: string[] }> = {
  name: "domain-moderation-changed",
  queue: "default",
  payload: z.object({ accountIds: z.array(z.string().regex(/^\d{1,20}$/)).max(500) }),
  retry: { attempts: 5, backoffMs: 1_000 },
};

/** What domainModerationChangedJob does, wherever it runs. */
export async function forgetDomainModeration(deps: Pick<DomainModerationDeps, "db" | "cache">, accountIds: readonly bigint[]): Promise<void> {
  forgetDomainPolicies(deps.db);
  if (accountIds.length > 0) await forgetAccounts(deps.cache, accountIds);
}

/** Enqueues the job (in the change's transaction), in chunks that keep each payload small. */
async function enqueueForget(tx: Tx, accountIds: readonly bigint[]): Promise<void> {
  const ids = [...new Set(accountIds.map(String))];
  const jobs = [];
  for (let i = 0; i === 0 || i < ids.length; i += 500) jobs.push(jobRequest(domainModerationChangedJob, { accountIds: ids.slice(i, i + 500) }));
  await tx.enqueue(jobs);
}

/**
 * Blocks a domain and its subdomains, or changes the block on it, as Mastodon's domain blocks: suspend marks the
 * domain's remote accounts suspended, silence marks them silenced, each with the block's creation time; a changed
 * severity first lifts the marks the block had set. Accounts suspended or silenced for another reason keep it.
 */
export async function blockDomain(deps: DomainModerationDeps, input: BlockDomainInput): Promise<Result<BlockDomainResult, DomainModerationError>> {
  const d = domainOf(deps, input.domain);
  if (!d.ok) return d;
  const domain = d.value;
  for (const c of [input.publicComment, input.privateComment])
    if (typeof c === "string" && c.trim().length > MAX_COMMENT) return err({ kind: "comment_too_long", max: MAX_COMMENT });
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const repo = tx.domainModeration;
    const existing = await repo.findBlock(domain);
    await repo.saveBlock({
      id: existing?.id ?? (await tx.nextId()),
      domain,
      severity: input.severity ?? existing?.severity ?? "silence",
      rejectMedia: input.rejectMedia ?? existing?.rejectMedia ?? false,
      rejectReports: input.rejectReports ?? existing?.rejectReports ?? false,
      obfuscate: input.obfuscate ?? existing?.obfuscate ?? false,
      publicComment: comment(input.publicComment, existing?.publicComment ?? null),
      privateComment: comment(input.privateComment, existing?.privateComment ?? null),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    // Read back: a concurrent first block of the same domain may have won the insert, with its own time.
    const block = (await repo.findBlock(domain))!;
    const changed: bigint[] = [];
    if (existing) {
      if (block.severity !== "silence") changed.push(...(await repo.clearDomainAccountMarks(domain, "silenced", block.createdAt)));
      if (block.severity !== "suspend") changed.push(...(await repo.clearDomainAccountMarks(domain, "suspended", block.createdAt)));
    }
    if (block.severity === "silence") changed.push(...(await repo.markDomainAccounts(domain, "silenced", block.createdAt)));
    if (block.severity === "suspend") changed.push(...(await repo.markDomainAccounts(domain, "suspended", block.createdAt)));
    await enqueueForget(tx, changed);
    return { block, created: !existing, changed };
  });
  await forgetDomainModeration(deps, result.changed);
  return ok({ block: result.block, created: result.created, accountsChanged: new Set(result.changed.map(String)).size });
}

/** Lifts the block on exactly this domain, and the suspensions and silences it had set. */
export async function unblockDomain(deps: DomainModerationDeps, input: string): Promise<Result<BlockDomainResult, DomainModerationError>> {
  const d = domainOf(deps, input);
  if (!d.ok) return d;
  const domain = d.value;
  const result = await deps.db.transaction(async (tx) => {
    const repo = tx.domainModeration;
    const block = await repo.findBlock(domain);
    if (!block) return null;
    await repo.removeBlock(domain);
    const changed = [
      ...(await repo.clearDomainAccountMarks(domain, "suspended", block.createdAt)),
      ...(await repo.clearDomainAccountMarks(domain, "silenced", block.createdAt)),
    ];
    await enqueueForget(tx, changed);
    return { block, changed };
  });
  if (!result) return err({ kind: "not_found", domain });
  await forgetDomainModeration(deps, result.changed);
  return ok({ block: result.block, created: false, accountsChanged: new Set(result.changed.map(String)).size });
}

/** Every domain block, by domain. */
export function listDomainBlocks(deps: Pick<DomainPolicyDeps, "db">): Promise<DomainBlockRecord[]> {
  return deps.db.repos.domainModeration.listBlocks();
}

/** Allows federation with a domain under LIMITED_FEDERATION_MODE; `created` false when it already was. */
export async function allowDomain(deps: DomainModerationDeps, input: string): Promise<Result<{ domain: string; created: boolean }, DomainModerationError>> {
  const d = domainOf(deps, input);
  if (!d.ok) return d;
  const created = await deps.db.transaction(async (tx) => {
    const added = await tx.domainModeration.addAllow({ id: await tx.nextId(), domain: d.value, createdAt: deps.clock.now() });
    if (added) await enqueueForget(tx, []);
    return added;
  });
  await forgetDomainModeration(deps, []);
  return ok({ domain: d.value, created });
}

/** Removes a domain from the allow-list. */
export async function disallowDomain(deps: DomainModerationDeps, input: string): Promise<Result<{ domain: string }, DomainModerationError>> {
  const d = domainOf(deps, input);
  if (!d.ok) return d;
  const removed = await deps.db.transaction(async (tx) => {
    const gone = await tx.domainModeration.removeAllow(d.value);
    if (gone) await enqueueForget(tx, []);
    return gone;
  });
  if (!removed) return err({ kind: "not_found", domain: d.value });
  await forgetDomainModeration(deps, []);
  return ok({ domain: d.value });
}

/** Every allowed domain, by domain. */
export function listDomainAllows(deps: Pick<DomainPolicyDeps, "db">): Promise<DomainAllowRecord[]> {
  return deps.db.repos.domainModeration.listAllows();
}

/**
 * A domain with its middle starred out, as Mastodon publishes obfuscated blocks: the first and last quarter of
 * the characters stay (and a little more at the start), dots stay where they are.
 */
export function obfuscateDomain(domain: string): string {
  const chars = [...domain];
  const keep = Math.floor(chars.length / 4);
  return chars.map((ch, i) => (i > keep && i < chars.length - keep && ch !== "." ? "*" : ch)).join("");
}

/** A block as the public list shows it. */
export interface PublicDomainBlock {
  /** Starred out when the block says so. */
  readonly domain: string;
  /** SHA-256 (hex) of the real domain, so other servers can match it. */
  readonly digest: string;
  readonly severity: "silence" | "suspend";
  readonly comment: string | null;
}

/**
 * The blocks people see (limited ones: silence and suspend; noop blocks only carry options), silences first then
 * suspensions, each by domain, as Mastodon lists them; comments only when `withComments`.
 */
export async function publicDomainBlocks(deps: Pick<DomainPolicyDeps, "db">, withComments: boolean): Promise<PublicDomainBlock[]> {
  const blocks = (await listDomainBlocks(deps)).filter((b) => b.severity !== "noop");
  const order = { silence: 0, suspend: 1, noop: 2 } as const;
  blocks.sort((a, b) => order[a.severity] - order[b.severity] || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  return blocks.map((b) => ({
    domain: b.obfuscate ? obfuscateDomain(b.domain) : b.domain,
    digest: createHash("sha256").update(b.domain).digest("hex"),
    severity: b.severity as "silence" | "suspend",
    comment: withComments ? b.publicComment : null,
  }));
}
