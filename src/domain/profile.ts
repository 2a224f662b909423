import { charLength, countedLength } from "./text-format.ts";

/** Mastodon's default profile limits (Instance#configuration.accounts reports the same numbers). */
export const DISPLAY_NAME_MAX = 30;
export const NOTE_MAX = 500;
export const FIELDS_MAX = 4;
export const FIELD_NAME_MAX = 255;
export const FIELD_VALUE_MAX = 255;
/** Private notes on other accounts. */
export const ACCOUNT_NOTE_MAX = 2_000;

export type Visibility = "public" | "unlisted" | "private" | "direct";
/** The visibilities a user may choose as their posting default (Mastodon refuses `direct`). */
export const DEFAULT_VISIBILITIES: readonly Visibility[] = ["public", "unlisted", "private"];
export type QuotePolicy = "public" | "followers" | "nobody";
export const QUOTE_POLICIES: readonly QuotePolicy[] = ["public", "followers", "nobody"];
export type ExpandMedia = "default" | "show_all" | "hide_all";

/** A profile field as stored: plain text name and value; verification is for remote links and starts unset. */
export interface ProfileField {
  readonly name: string;
  readonly value: string;
  readonly verifiedAt: number | null;
}

/**
 * A user's preferences, stored as JSON in users.settings. Every key is optional: absent means Mastodon's
 * default, so adding a preference never needs a migration.
 */
export interface UserSettings {
  readonly default_privacy?: Visibility;
  readonly default_sensitive?: boolean;
  readonly default_language?: string | null;
  readonly default_quote_policy?: QuotePolicy;
  readonly noindex?: boolean;
  readonly display_media?: ExpandMedia;
  readonly expand_spoilers?: boolean;
  readonly auto_play_gif?: boolean;
}

/** Parses users.settings; anything unreadable counts as no settings (defaults), never as an error. */
export function parseUserSettings(json: string | null | undefined): UserSettings {
  if (!json) return {};
  try {
    const v = JSON.parse(json);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as UserSettings) : {};
  } catch {
    return {};
  }
}

/** The posting visibility a user gets by default: their choice, else private for locked accounts (as Mastodon). */
export function defaultVisibility(settings: UserSettings, locked: boolean): Visibility {
  return settings.default_privacy ?? (locked ? "private" : "public");
}

/** ISO 639 codes as Mastodon accepts them for languages: two or three lower-case letters. */
export function isLanguageCode(code: string): boolean {
  return /^[a-z]{2,3}$/.test(code);
}

/** Parses accounts.fields; malformed JSON counts as no fields. */
export function parseFields(json: string | null | undefined): ProfileField[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json);
    if (!Array.isArray(v)) return [];
    return v
      .filter((f) => f && typeof f.name === "string" && typeof f.value === "string")
      .map((f) => ({ name: f.name, value: f.value, verifiedAt: typeof f.verified_at === "number" ? f.verified_at : null }));
  } catch {
    return [];
  }
}

/** The JSON stored in accounts.fields. */
export function serializeFields(fields: readonly ProfileField[]): string {
  return JSON.stringify(fields.map((f) => ({ name: f.name, value: f.value, verified_at: f.verifiedAt })));
}

/** The first rule a profile edit breaks, as Mastodon words it after "Validation failed: ", or null. */
export function profileProblem(input: { displayName?: string; note?: string; fields?: readonly { name: string; value: string }[] }): string | null {
  if (input.displayName !== undefined && charLength(input.displayName) > DISPLAY_NAME_MAX)
    return `Display name is too long (maximum is ${DISPLAY_NAME_MAX} characters)`;
  if (input.note !== undefined && countedLength(input.note) > NOTE_MAX) return `Note is too long (maximum is ${NOTE_MAX} characters)`;
  if (input.fields) {
    if (input.fields.length > FIELDS_MAX) return `Fields is too long (maximum is ${FIELDS_MAX} fields)`;
    for (const f of input.fields) {
      if (charLength(f.name) > FIELD_NAME_MAX) return `Field name is too long (maximum is ${FIELD_NAME_MAX} characters)`;
      if (charLength(f.value) > FIELD_VALUE_MAX) return `Field value is too long (maximum is ${FIELD_VALUE_MAX} characters)`;
    }
  }
  return null;
}
