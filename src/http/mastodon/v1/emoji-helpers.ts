import { shortcodesIn } from "../../../domain/custom-emoji.ts";
import { remoteEmojiKey } from "../../../domain/remote-emojis.ts";
import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import type { CustomEmojiRecord, RemoteEmojiRecord } from "../../../ports/repositories/custom-emojis.ts";
import type { StatusRecord } from "../../../ports/repositories/statuses.ts";
import { customEmojiTable, emojisUsed } from "../../../services/emojis/custom-emojis.ts";
import { remoteEmojisFor } from "../../../services/emojis/remote-emojis.ts";
import type { ApiDeps } from "../context.ts";
import type { AccountRenderContext } from "../serializers/account.ts";
import type { PollBundle } from "../serializers/poll.ts";
import { renderCustomEmoji } from "../serializers/content.ts";
import { movedTargets, renderContext } from "./account-helpers.ts";

/** Texts of one remote domain's posts or profiles, whose `:shortcode:`s name that domain's emojis. */
export interface RemoteTexts {
  readonly domain: string;
  readonly texts: readonly string[];
}

/** Shortcodes looked up for one page: a hostile text full of `:xx:` must not turn into a huge query. */
const MAX_REMOTE_SHORTCODES = 1_000;

/**
 * Mastodon's CustomEmoji entity for a remote emoji. Herd links remote emojis at their origin (there is no copy
 * to serve, and /media_proxy is for attachments), so both URLs are the origin's.
 */
function renderRemoteEmoji(e: RemoteEmojiRecord): Record<string, unknown> {
  return { shortcode: e.shortcode, url: e.remoteUrl, static_url: e.remoteUrl, visible_in_picker: false, category: null };
}

/**
 * The CustomEmoji entities that `texts` use, by shortcode: from the cached emoji table (one cache read), so a
 * page of statuses or accounts costs no query for its local emojis. Remote texts add their domain's emojis under
 * remoteEmojiKey(shortcode, domain), all domains in one query, and none when no remote text names a shortcode.
 */
export async function emojiEntities(
  deps: ApiDeps,
  texts: readonly string[],
  remote: readonly RemoteTexts[] = [],
  localTable: Promise<ReadonlyMap<string, CustomEmojiRecord>> = customEmojiTable(deps),
): Promise<Map<string, Record<string, unknown>>> {
  const wanted = new Map<string, Set<string>>();
  let count = 0;
  for (const r of remote) {
    for (const code of shortcodesIn(...r.texts)) {
      if (count >= MAX_REMOTE_SHORTCODES) break;
      let set = wanted.get(r.domain);
      if (!set) wanted.set(r.domain, (set = new Set()));
      if (!set.has(code)) {
        set.add(code);
        count++;
      }
    }
  }
  const [table, remoteEmojis] = await Promise.all([localTable, remoteEmojisFor(deps, wanted)]);
  const out = new Map<string, Record<string, unknown>>();
  for (const e of emojisUsed(table, ...texts)) out.set(e.shortcode, renderCustomEmoji((k) => deps.media.url(k), e));
  for (const e of remoteEmojis) out.set(remoteEmojiKey(e.shortcode, e.domain), renderRemoteEmoji(e));
  return out;
}

/** What a remote, unsuspended account shows emojis in: name, bio, field names and values. */
function remoteAccountTexts(a: AccountRecord): RemoteTexts | null {
  if (a.domain === null || a.suspendedAt !== null) return null;
  return { domain: a.domain, texts: [a.displayName, a.note, ...a.fields.flatMap((f) => [f.name, f.value])] };
}

/**
 * The account render context with the accounts they moved to (their `moved`, movedTargets) and the emojis all
 * these accounts' names and bios (and remote ones' fields) use.
 */
export async function accountEmojiContext(deps: ApiDeps, given: readonly AccountRecord[]): Promise<AccountRenderContext> {
  const movedTo = await movedTargets(deps, given);
  const accounts = movedTo.size === 0 ? given : [...given, ...movedTo.values()];
  const texts = accounts.flatMap((a) => [a.displayName, a.domain === null ? a.note : ""]);
  const remote = accounts.map(remoteAccountTexts).filter((r): r is RemoteTexts => r !== null);
  return { ...renderContext(deps), emojis: await emojiEntities(deps, texts, remote), ...(movedTo.size === 0 ? {} : { movedTo }) };
}

/**
 * The emojis of a page of statuses (StatusBundle.emojis): local ones for every text, remote ones for each remote
 * status's text, content warning and poll options, and the profiles of `shown` (authors, mentioned accounts,
 * the accounts authors moved to). `authors` finds each status's author; `localTable`, the emoji table when the
 * caller started reading it already.
 */
export async function statusEmojiEntities(
  deps: ApiDeps,
  statuses: readonly StatusRecord[],
  authors: ReadonlyMap<bigint, AccountRecord>,
  shown: readonly AccountRecord[],
  polls?: PollBundle,
  localTable?: Promise<ReadonlyMap<string, CustomEmojiRecord>>,
): Promise<Map<string, Record<string, unknown>>> {
  const texts = [...statuses.map((s) => `${s.text}\n${s.spoilerText}`), ...shown.map((a) => `${a.displayName}\n${a.note}`)];
  const remote: RemoteTexts[] = [];
  for (const s of statuses) {
    const domain = authors.get(s.accountId)?.domain ?? null;
    if (domain === null) continue;
    const options = polls?.byStatus.get(s.id)?.options.map((o) => o.title) ?? [];
    remote.push({ domain, texts: [s.text, s.spoilerText, ...options] });
  }
  for (const a of shown) {
    const r = remoteAccountTexts(a);
    if (r) remote.push(r);
  }
  return emojiEntities(deps, texts, remote, localTable);
}
