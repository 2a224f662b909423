import { isPlausibleEmail } from "../../domain/accounts.ts";
import { err, ok, type Result } from "../../domain/result.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import type { SettingRecord } from "../../ports/repositories/instance.ts";
import { forgetInstanceCaches, refreshInstanceCachesJob } from "./cache-jobs.ts";
import type { InstanceDeps } from "./deps.ts";

/** What each setting means and how its value is checked (null = valid). */
export const SETTINGS = {
  site_title: { about: "the server's name (title)", check: (v: string) => (v.length > 255 ? "at most 255 characters" : null) },
  site_short_description: { about: "a short plain-text description (description)", check: (v: string) => (v.length > 2_000 ? "at most 2000 characters" : null) },
  site_extended_description: { about: "the about page's text (extended_description), plain text with paragraphs and links", check: () => null },
  site_contact_email: { about: "the contact e-mail address", check: (v: string) => (isPlausibleEmail(v) ? null : "an e-mail address") },
  site_contact_username: { about: "the username of the local account shown as contact", check: (v: string) => (/^[A-Za-z0-9_]+$/.test(v) ? null : "a local username") },
  privacy_policy: { about: "the privacy policy, plain text with paragraphs and links", check: () => null },
  terms_of_service: { about: "the terms of service, plain text with paragraphs and links", check: () => null },
  terms_of_service_effective_date: {
    about: "the date (YYYY-MM-DD) the terms of service take effect (default: the day they were set)",
    check: (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? null : "a date like 2026-01-31"),
  },
  closed_registrations_message: { about: "the message shown when registrations are closed", check: () => null },
  status_page_url: { about: "the URL of the server's status page", check: (v: string) => (/^https?:\/\/[^\s]+$/.test(v) ? null : "an http(s) URL") },
  show_domain_blocks: {
    about: "who sees the moderated servers (/api/v1/instance/domain_blocks): disabled (the default), users (signed-in) or all",
    check: (v: string) => (["disabled", "users", "all"].includes(v) ? null : "disabled, users or all"),
  },
  show_domain_blocks_rationale: {
    about: "who sees the public comments of moderated servers: disabled (the default), users (signed-in) or all",
    check: (v: string) => (["disabled", "users", "all"].includes(v) ? null : "disabled, users or all"),
  },
  languages: {
    about: "primary languages, ISO 639 codes separated by commas (default en)",
    check: (v: string) => (v.split(",").every((x) => /^[a-z]{2,3}$/.test(x.trim())) ? null : "ISO 639 codes such as en,de"),
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;

const LONG_TEXTS: ReadonlySet<string> = new Set(["site_extended_description", "privacy_policy", "terms_of_service", "closed_registrations_message"]);

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export type SettingError = { readonly kind: "unknown_key" } | { readonly kind: "invalid"; readonly expected: string } | { readonly kind: "no_such_account" };

/** Every setting that has a value. */
export async function readSettings(deps: InstanceDeps): Promise<Map<string, SettingRecord>> {
  return deps.db.repos.instance.settings();
}

/**
 * Sets (or, with `value` null, clears) a setting, and drops the cached instance entities here and, through a
 * job, in the serving process.
 */
export async function writeSetting(deps: InstanceDeps, key: string, value: string | null): Promise<Result<void, SettingError>> {
  if (!(key in SETTINGS)) return err({ kind: "unknown_key" });
  // Long texts keep their inner layout (only outer blank lines go); one-line values are trimmed. Blank clears.
  const trimmed = value === null || value.trim() === "" ? null : LONG_TEXTS.has(key) ? value.replace(/^\s*\n|\s+$/g, "") : value.trim();
  if (trimmed !== null) {
    const problem = SETTINGS[key as SettingKey].check(trimmed);
    if (problem) return err({ kind: "invalid", expected: problem });
    if (key === "site_contact_username") {
      const account = await deps.db.repos.accounts.findLocalByUsername(trimmed);
      if (!account) return err({ kind: "no_such_account" });
    }
  }
  await deps.db.transaction(async (tx) => {
    await tx.instance.setSetting(key, trimmed, deps.clock.now());
    await tx.enqueue([jobRequest(refreshInstanceCachesJob, { reason: `setting ${key}` })]);
  });
  await forgetInstanceCaches(deps.cache);
  return ok(undefined);
}
