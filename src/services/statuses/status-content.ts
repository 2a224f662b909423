import { findMentions, statusLength } from "../../domain/status-text.ts";
import type { AccountRecord } from "../../ports/repositories/accounts.ts";
import type { StatusDeps } from "./deps.ts";

/**
 * Why a status text (with its content warning) may not be posted or saved by an edit, as Mastodon's
 * validators word it after "Validation failed: "; null when it may. A status with media may have no text;
 * `maxChars` is the instance's limit (MAX_TOOT_CHARS).
 */
export function textProblem(text: string, spoilerText: string, hasMedia: boolean, maxChars: number): string | null {
  if (text.trim() === "" && !hasMedia) return "Text can't be blank";
  if (statusLength(text) + statusLength(spoilerText) > maxChars) return `Text character limit of ${maxChars} exceeded`;
  return null;
}

/**
 * The local accounts a text mentions that exist and may be mentioned by `author`, each once, in text order.
 * Posting and editing both resolve mentions here.
 */
export async function resolveMentions(deps: StatusDeps, author: AccountRecord, text: string): Promise<AccountRecord[]> {
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
