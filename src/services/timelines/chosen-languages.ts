import { isLanguageCode } from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";

/** What reading an account's chosen languages needs. */
export interface ChosenLanguagesDeps {
  readonly db: Database;
  readonly cache: Cache;
}

// Every signed-in page of the public and hashtag timelines, and every public stream event, asks this; the
// token cache does not hold the users row, so the answer lives in the shared cache, rewritten on each change.
const TTL_MS = 86_400_000;
const key = (accountId: bigint): string => `chosen-languages:${accountId}`;

function parse(cached: string): string[] | null {
  const value: unknown = JSON.parse(cached);
  return Array.isArray(value) && value.length > 0 ? value.filter((c): c is string => typeof c === "string") : null;
}

/**
 * The ISO 639 codes `accountId` reads the public and hashtag timelines (and public streams) in, or null for
 * every language: Mastodon's users.chosen_languages. One cache read, the database only on a miss.
 */
export async function chosenLanguagesOf(deps: ChosenLanguagesDeps, accountId: bigint): Promise<readonly string[] | null> {
  const hit = await deps.cache.get(key(accountId));
  if (hit !== null) return parse(hit);
  const languages = await deps.db.repos.users.chosenLanguages(accountId);
  await deps.cache.set(key(accountId), JSON.stringify(languages), TTL_MS);
  return languages;
}

/**
 * Whether a status in `language` is shown to a viewer who chose `chosen`: as Mastodon, a status whose language
 * is unknown is always shown, and null chooses every language.
 */
export function readsLanguage(chosen: readonly string[] | null, language: string | null): boolean {
  return chosen === null || language === null || chosen.includes(language);
}

/**
 * Sets the languages `accountId` reads public timelines in, as Mastodon's preferences form does: blanks and
 * repeats dropped, an empty list (or null) meaning every language. A code that is not ISO 639 is refused.
 */
export async function setChosenLanguages(
  deps: ChosenLanguagesDeps & { readonly clock: Clock },
  accountId: bigint,
  languages: readonly string[] | null,
): Promise<Result<readonly string[] | null, { readonly kind: "invalid"; readonly message: string }>> {
  const codes = [...new Set((languages ?? []).map((c) => c.trim().toLowerCase()).filter((c) => c !== ""))];
  const wrong = codes.find((c) => !isLanguageCode(c));
  if (wrong !== undefined) return err({ kind: "invalid", message: `Chosen languages: ${JSON.stringify(wrong)} is not an ISO 639 language code` });
  const next = codes.length > 0 ? codes : null;
  await deps.db.repos.users.setChosenLanguages(accountId, next, deps.clock.now());
  await deps.cache.set(key(accountId), JSON.stringify(next), TTL_MS);
  return ok(next);
}
