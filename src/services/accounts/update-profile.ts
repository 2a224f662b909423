import {
  DEFAULT_VISIBILITIES,
  isLanguageCode,
  profileProblem,
  QUOTE_POLICIES,
  type ProfileField,
  type QuotePolicy,
  type UserSettings,
  type Visibility,
} from "../../domain/profile.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { storableText } from "../../domain/text-format.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { AccountRecord, ProfileChanges } from "../../ports/repositories/accounts.ts";
import { federate } from "../federation/outbound.ts";
import { forgetAccounts } from "./account-cache.ts";
import { deleteStoredFiles, storeProfileImage, type ProfileImageDeps, type ProfileImageKind } from "./profile-images.ts";

export interface ProfileDeps extends ProfileImageDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** PATCH /accounts/update_credentials; every member is optional (absent: unchanged). */
export interface ProfileUpdate
  extends Pick<ProfileChanges, "displayName" | "note" | "locked" | "bot" | "discoverable" | "indexable" | "hideCollections"> {
  /** Replaces every field; pairs with a blank name and value are dropped. */
  readonly fields?: readonly { name: string; value: string }[];
  readonly avatar?: Uint8Array;
  readonly header?: Uint8Array;
  readonly source?: {
    readonly privacy?: string;
    readonly sensitive?: boolean;
    /** Empty string clears the default language. */
    readonly language?: string;
    readonly quotePolicy?: string;
  };
}

export type ProfileError = { readonly kind: "not_found" } | { readonly kind: "invalid"; readonly message: string };

function settingsChange(current: UserSettings, source: NonNullable<ProfileUpdate["source"]>): UserSettings | string {
  const next: { -readonly [K in keyof UserSettings]: UserSettings[K] } = { ...current };
  if (source.privacy !== undefined) {
    if (!DEFAULT_VISIBILITIES.includes(source.privacy as Visibility)) return "Validation failed: Default privacy is not included in the list";
    next.default_privacy = source.privacy as Visibility;
  }
  if (source.sensitive !== undefined) next.default_sensitive = source.sensitive;
  if (source.language !== undefined) {
    const language = source.language.trim();
    if (language !== "" && !isLanguageCode(language)) return "Validation failed: Default language is not included in the list";
    next.default_language = language === "" ? null : language;
  }
  if (source.quotePolicy !== undefined) {
    if (!QUOTE_POLICIES.includes(source.quotePolicy as QuotePolicy)) return "Validation failed: Default quote policy is not included in the list";
    next.default_quote_policy = source.quotePolicy as QuotePolicy;
  }
  return next;
}

function storableUpdate(u: ProfileUpdate): ProfileUpdate {
  const text = (v: string | undefined) => (v === undefined ? undefined : storableText(v));
  return {
    ...u,
    displayName: text(u.displayName),
    note: text(u.note),
    fields: u.fields?.map((f) => ({ name: storableText(f.name), value: storableText(f.value) })),
    source: u.source && { ...u.source, language: text(u.source.language) },
  };
}

/**
 * Updates the signed-in account's profile and posting defaults. Text is validated first; new pictures are
 * processed and stored before the transaction (slow work outside it) and deleted again if it fails; the pictures
 * they replace are deleted only after it commits.
 */
export async function updateProfile(deps: ProfileDeps, accountId: bigint, raw: ProfileUpdate): Promise<Result<AccountRecord, ProfileError>> {
  const update = storableUpdate(raw);
  const fields: ProfileField[] | undefined = update.fields
    ?.filter((f) => f.name.trim() !== "" || f.value.trim() !== "")
    .map((f) => ({ name: f.name.trim(), value: f.value.trim(), verifiedAt: null }));
  const problem = profileProblem({ displayName: update.displayName, note: update.note, fields });
  if (problem) return err({ kind: "invalid", message: `Validation failed: ${problem}` });

  const current = await deps.db.repos.accounts.findById(accountId);
  if (!current || !current.user) return err({ kind: "not_found" });
  const settings = update.source ? settingsChange(current.user.settings, update.source) : null;
  if (typeof settings === "string") return err({ kind: "invalid", message: settings });

  const uploaded: Partial<Record<ProfileImageKind, string>> = {};
  for (const kind of ["avatar", "header"] as const) {
    const upload = update[kind];
    if (!upload) continue;
    const stored = await storeProfileImage(deps, accountId, kind, upload);
    if ("problem" in stored) {
      await deleteStoredFiles(deps.media, Object.values(uploaded));
      return err({ kind: "invalid", message: stored.problem });
    }
    uploaded[kind] = stored.key;
  }

  const now = deps.clock.now();
  const changes: ProfileChanges = {
    displayName: update.displayName?.trim(),
    note: update.note,
    locked: update.locked,
    bot: update.bot,
    discoverable: update.discoverable,
    indexable: update.indexable,
    hideCollections: update.hideCollections,
    fields,
    avatarKey: uploaded.avatar,
    headerKey: uploaded.header,
    now,
  };
  let replaced: (string | null)[] = [];
  try {
    await deps.db.transaction(async (tx) => {
      // Read again inside the transaction: the keys to delete are the ones this update really replaces.
      const before = await tx.accounts.findById(accountId);
      replaced = [uploaded.avatar ? (before?.avatarKey ?? null) : null, uploaded.header ? (before?.headerKey ?? null) : null];
      await tx.accounts.updateProfile(accountId, changes);
      if (settings) await tx.accounts.updateSettings(accountId, settings, now);
      // Profiles are public: every server that knows the account hears of the change (the job finds them).
      const actorChanged = Object.entries(changes).some(([key, value]) => key !== "now" && value !== undefined);
      if (before?.domain === null && actorChanged) await federate(tx, { type: "update-actor", accountId: String(accountId) });
    });
  } catch (error) {
    await deleteStoredFiles(deps.media, Object.values(uploaded));
    throw error;
  }
  await forgetAccounts(deps.cache, [accountId]);
  await deleteStoredFiles(deps.media, replaced);
  const updated = await deps.db.repos.accounts.findById(accountId);
  return updated ? ok(updated) : err({ kind: "not_found" });
}

/** DELETE /profile/avatar or /profile/header: back to the default picture. Having none is not an error. */
export async function removeProfileImage(deps: ProfileDeps, accountId: bigint, kind: ProfileImageKind): Promise<Result<AccountRecord, ProfileError>> {
  const now = deps.clock.now();
  const old = await deps.db.transaction(async (tx) => {
    const before = await tx.accounts.findById(accountId);
    const key = kind === "avatar" ? before?.avatarKey : before?.headerKey;
    if (key) await tx.accounts.updateProfile(accountId, kind === "avatar" ? { avatarKey: null, now } : { headerKey: null, now });
    if (key && before?.domain === null) await federate(tx, { type: "update-actor", accountId: String(accountId) });
    return key ?? null;
  });
  if (old) {
    await forgetAccounts(deps.cache, [accountId]);
    await deleteStoredFiles(deps.media, [old]);
  }
  const account = await deps.db.repos.accounts.findById(accountId);
  return account ? ok(account) : err({ kind: "not_found" });
}
