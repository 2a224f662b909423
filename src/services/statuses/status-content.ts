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

/** Unknown remote handles looked up per post. */
const MAX_MENTION_LOOKUPS = 5;

/**
 * The accounts a text mentions that exist and may be mentioned by `author`, each once, in text order: local
 * ones, and remote ones already known or found on their server. Posting and editing both resolve mentions here.
 */

export async function resolveMentions(deps: StatusDeps, author: AccountRecord, text: string): Promise<AccountRecord[]> {
  const found: AccountRecord[] = [];
  let lookups = 0;
  for (const m of findMentions(text)) {
    if (m.domain !== null && m.domain !== deps.localDomain.toLowerCase()) {
      // A remote account: the stored one, else looked up on its server (as Mastodon's ResolveAccountService),
      // at most a few per post so a post full of unknown handles does not wait on many servers.
      let remote = await deps.db.repos.accounts.findRemote(m.username, m.domain);
      if (!remote && deps.resolver && lookups < MAX_MENTION_LOOKUPS) {
        lookups++;
        remote = await deps.resolver.resolveAccount(`${m.username}@${m.domain}`).catch(() => null);
      }
      if (remote && remote.domain !== null && remote.suspendedAt === null && !found.some((a) => a.id === remote.id)) found.push(remote);
      continue;
    }
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
