import type { AccountRecord } from "../../../ports/repositories/accounts.ts";
import { customEmojiTable, emojisUsed } from "../../../services/emojis/custom-emojis.ts";
import type { ApiDeps } from "../context.ts";
import type { AccountRenderContext } from "../serializers/account.ts";
import { renderCustomEmoji } from "../serializers/content.ts";
import { renderContext } from "./account-helpers.ts";

/**
 * The CustomEmoji entities that `texts` use, by shortcode: from the cached emoji table (one cache read), so a
 * page of statuses or accounts costs no query for its emojis.
 */
export async function emojiEntities(deps: ApiDeps, texts: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const table = await customEmojiTable(deps);
  const out = new Map<string, Record<string, unknown>>();
  for (const e of emojisUsed(table, ...texts)) out.set(e.shortcode, renderCustomEmoji((k) => deps.media.url(k), e));
  return out;
}

/** The account render context with the emojis the accounts' names and bios use. */
export async function accountEmojiContext(deps: ApiDeps, accounts: readonly AccountRecord[]): Promise<AccountRenderContext> {
  const texts = accounts.flatMap((a) => [a.displayName, a.domain === null ? a.note : ""]);
  return { ...renderContext(deps), emojis: await emojiEntities(deps, texts) };
}
