import { defaultVisibility, isLanguageCode, type Visibility } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { findMentions, STATUS_MAX_CHARS, statusLength } from "../../domain/status-text.ts";
import { storableText } from "../../domain/text-format.ts";
import { isVisibility } from "../../domain/visibility.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import { forgetAccounts } from "../accounts/account-cache.ts";
import type { StatusDeps, StatusError } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";
import { countsTowardsProfile, repliesCountable } from "./status-counters.ts";

export interface PostStatusInput {
  readonly accountId: bigint;
  readonly applicationId: bigint | null;
  readonly text: string | undefined;
  readonly spoilerText?: string;
  readonly sensitive?: boolean;
  readonly visibility?: string;
  readonly language?: string;
  readonly inReplyToId?: bigint;
  /** The Idempotency-Key header, if any. */
  readonly idempotencyKey?: string;
}

// Mastodon keeps idempotency keys for an hour.
const IDEMPOTENCY_TTL_MS = 3_600_000;
const PENDING = "pending";

const invalid = (message: string) => err<StatusError>({ kind: "invalid", message: `Validation failed: ${message}` });

/** The local accounts a text mentions that exist and may be mentioned by `author`, each once, in text order. */
async function resolveMentions(deps: StatusDeps, author: AccountRecord, text: string): Promise<AccountRecord[]> {
  const found: AccountRecord[] = [];
  for (const m of findMentions(text)) {
    // Remote mentions need federation (WebFinger); until then they stay plain text.
    if (m.domain !== null && m.domain !== deps.localDomain.toLowerCase()) continue;
    const account = await deps.db.repos.accounts.findLocalRecord(m.username);
    if (!account || account.suspendedAt !== null || !account.user?.confirmed || !account.user.approved) continue;
    if (!found.some((a) => a.id === account.id)) found.push(account);
  }
  if (found.length === 0) return found;
  // A block either way drops the mention silently: Mastodon's ProcessMentionsService skips accounts the author
  // blocks, and an account that blocked the author must not be reached by them (no link, no mention record).
  const blocked = await Promise.all(found.map((a) => deps.db.repos.relationships.blocksBetween(author.id, a.id)));
  return found.filter((_, i) => !blocked[i].aBlocksB && !blocked[i].bBlocksA);
}

async function validate(deps: StatusDeps, author: AccountRecord, input: PostStatusInput) {
  const text = storableText(input.text ?? "");
  const spoilerText = storableText(input.spoilerText ?? "");
  if (text.trim() === "") return invalid("Text can't be blank");
  if (statusLength(text) + statusLength(spoilerText) > STATUS_MAX_CHARS)
    return invalid(`Text character limit of ${STATUS_MAX_CHARS} exceeded`);
  const settings = author.user?.settings ?? {};
  let visibility: Visibility = defaultVisibility(settings, author.locked);
  if (input.visibility !== undefined && input.visibility !== "") {
    if (!isVisibility(input.visibility)) return invalid("Visibility is not included in the list");
    visibility = input.visibility;
  }
  // An unknown language falls back to the default, as Mastodon's language_from_option does.
  const language = input.language && isLanguageCode(input.language) ? input.language : (settings.default_language ?? null);
  let parent: StatusRecord | null = null;
  if (input.inReplyToId !== undefined) {
    parent = (await findVisibleStatus(deps, input.inReplyToId, author.id))?.status ?? null;
    if (!parent) return err<StatusError>({ kind: "not_found" });
  }
  // Mastodon forces the sensitive flag when there is a content warning.
  const sensitive = spoilerText !== "" || (input.sensitive ?? settings.default_sensitive ?? false);
  return ok({ text, spoilerText, visibility, language, parent, sensitive });
}

async function create(deps: StatusDeps, author: AccountRecord, input: PostStatusInput): Promise<Result<bigint, StatusError>> {
  const valid = await validate(deps, author, input);
  if (!valid.ok) return valid;
  const { text, spoilerText, visibility, language, parent, sensitive } = valid.value;
  const mentions = await resolveMentions(deps, author, text);
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const id = await tx.nextId();
    await tx.statuses.create({
      id, accountId: author.id, text, spoilerText, visibility, sensitive, language,
      inReplyToId: parent?.id ?? null, inReplyToAccountId: parent?.accountId ?? null, applicationId: input.applicationId,
      conversationId: parent ? (parent.conversationId ?? parent.id) : id, now,
    });
    const rows = [];
    for (const m of mentions) rows.push({ id: await tx.nextId(), accountId: m.id });
    await tx.statuses.addMentions(id, rows);
    if (countsTowardsProfile(visibility)) await tx.statuses.addAccountStatuses(author.id, 1, now);
    if (parent && repliesCountable(visibility)) await tx.statuses.addReplies(parent.id, 1);
    return id;
  });
  await forgetAccounts(deps.cache, [author.id]);
  return ok(id);
}

async function waitForKey(deps: StatusDeps, key: string): Promise<string | null> {
  for (let i = 0; i < 50; i++) {
    const value = await deps.cache.get(key);
    if (value !== PENDING) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return PENDING;
}

/**
 * Posts a status: validates (blank text, 500 characters counted as Mastodon counts, visibility, reply target
 * visible to the author), then writes the status, its mentions and the counters in one transaction. With an
 * Idempotency-Key, the same key from the same account within an hour answers the status posted first.
 * Returns the new status's id.
 */
export async function postStatus(deps: StatusDeps, input: PostStatusInput): Promise<Result<bigint, StatusError>> {
  const author = await deps.db.repos.accounts.findById(input.accountId);
  if (!author) return err({ kind: "not_found" });
  if (!input.idempotencyKey) return create(deps, author, input);
  const key = `idempotency:status:${author.id}:${input.idempotencyKey}`;
  if (!(await deps.cache.setIfAbsent(key, PENDING, IDEMPOTENCY_TTL_MS))) {
    const existing = await waitForKey(deps, key);
    if (existing === PENDING) return err({ kind: "conflict", message: "A request with this Idempotency-Key is still being processed" });
    if (existing !== null) return ok(BigInt(existing));
    return postStatus(deps, input);
  }
  try {
    const result = await create(deps, author, input);
    if (result.ok) await deps.cache.set(key, String(result.value), IDEMPOTENCY_TTL_MS);
    else await deps.cache.delete(key);
    return result;
  } catch (error) {
    await deps.cache.delete(key);
    throw error;
  }
}
