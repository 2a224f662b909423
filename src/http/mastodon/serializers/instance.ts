import { DISPLAY_NAME_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX, FIELDS_MAX, NOTE_MAX } from "../../../domain/profile.ts";
import { formatPlainText, URL_WEIGHT } from "../../../domain/text-format.ts";
import type { InstanceSettings } from "../../../domain/instance.ts";
import type { RuleRecord } from "../../../ports/repositories/instance.ts";
import type { InstanceSnapshot } from "../../../services/instance/instance-info.ts";
import { renderMediaConfiguration } from "./media-attachment.ts";

/** The Mastodon release whose API Herd implements, and that API's `api_versions.mastodon` number. */
export const MASTODON_COMPATIBLE_VERSION = "4.5.0";
export const MASTODON_API_VERSION = 7;
export const HERD_VERSION = "0.1.0";
/** Where the default thumbnail is served (see v1/instance.ts). */
export const DEFAULT_THUMBNAIL_PATH = "/images/herd-thumbnail.png";

const POLLS = { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 };

/** configuration.statuses, with the instance's MAX_TOOT_CHARS. */
function statusesConfiguration(instance: InstanceSettings) {
  return { max_characters: instance.maxStatusChars, max_media_attachments: 4, characters_reserved_per_url: URL_WEIGHT };
}

/** What rendering the instance entities needs besides the snapshot. */
export interface InstanceRenderInput {
  readonly instance: InstanceSettings;
  readonly snapshot: InstanceSnapshot;
  /** The rendered contact Account, or null. */
  readonly contactAccount: Record<string, unknown> | null;
}

function setting(s: InstanceSnapshot, key: string): string | null {
  return s.settings[key]?.value ?? null;
}

function languages(s: InstanceSnapshot): string[] {
  return (setting(s, "languages") ?? "en").split(",").map((x) => x.trim()).filter(Boolean);
}

function title(input: InstanceRenderInput): string {
  return setting(input.snapshot, "site_title") ?? input.instance.localDomain;
}

/** The contact address: site_contact_email, else the address the instance sends mail from. */
function contactEmail(input: InstanceRenderInput): string {
  return setting(input.snapshot, "site_contact_email") ?? input.instance.mailFrom.replace(/^.*<([^>]+)>\s*$/, "$1");
}

function registrations(input: InstanceRenderInput) {
  const mode = input.instance.registrationsMode;
  const enabled = mode !== "none";
  const message = setting(input.snapshot, "closed_registrations_message");
  return { enabled, approvalRequired: mode === "approved", message: enabled || message === null ? null : formatPlainText(message) };
}

/** Mastodon's Rule entity. */
export function renderRule(r: { id: string | bigint; text: string; hint: string }): Record<string, unknown> {
  return { id: String(r.id), text: r.text, hint: r.hint };
}

/** "4.5.0 (compatible; Herd 0.1.0)", the form other compatible servers use, so clients' version checks pass. */
export function versionString(): string {
  return `${MASTODON_COMPATIBLE_VERSION} (compatible; Herd ${HERD_VERSION})`;
}

/** Mastodon's Instance entity (GET /api/v2/instance). */
export function renderInstance(input: InstanceRenderInput): Record<string, unknown> {
  const { instance, snapshot } = input;
  const base = instance.baseUrl;
  const thumbnail = base + DEFAULT_THUMBNAIL_PATH;
  const reg = registrations(input);
  return {
    domain: instance.localDomain,
    title: title(input),
    version: versionString(),
    source_url: instance.sourceUrl ?? base,
    description: setting(snapshot, "site_short_description") ?? "",
    usage: { users: { active_month: snapshot.counts.activeUsers } },
    thumbnail: { url: thumbnail, blurhash: null, versions: { "@1x": thumbnail } },
    icon: [],
    languages: languages(snapshot),
    configuration: {
      urls: {
        streaming: instance.streamingUrl,
        status: setting(snapshot, "status_page_url"),
        about: null,
        privacy_policy: null,
        terms_of_service: null,
      },
      // Web Push is not available on this server yet: no key to subscribe with.
      vapid: { public_key: "" },
      accounts: {
        max_featured_tags: 10,
        max_pinned_statuses: 5,
        max_display_name_length: DISPLAY_NAME_MAX,
        max_note_length: NOTE_MAX,
        max_profile_fields: FIELDS_MAX,
        profile_field_name_limit: FIELD_NAME_MAX,
        profile_field_value_limit: FIELD_VALUE_MAX,
      },
      statuses: statusesConfiguration(instance),
      media_attachments: renderMediaConfiguration(input.instance.mediaLimits),
      polls: POLLS,
      translation: { enabled: false },
      timelines_access: {
        live_feeds: { local: "public", remote: "public" },
        hashtag_feeds: { local: "public", remote: "public" },
        trending_link_feeds: { local: "public", remote: "public" },
      },
      limited_federation: false,
    },
    registrations: {
      enabled: reg.enabled,
      approval_required: reg.approvalRequired,
      reason_required: reg.approvalRequired,
      message: reg.message,
      min_age: null,
      url: null,
    },
    api_versions: { mastodon: MASTODON_API_VERSION },
    contact: { email: contactEmail(input), account: input.contactAccount },
    rules: snapshot.rules.map(renderRule),
  };
}

/** Mastodon's V1::Instance entity (GET /api/v1/instance, deprecated but still read by many apps). */
export function renderV1Instance(input: InstanceRenderInput): Record<string, unknown> {
  const { instance, snapshot } = input;
  const reg = registrations(input);
  const description = setting(snapshot, "site_short_description") ?? "";
  return {
    uri: instance.localDomain,
    title: title(input),
    short_description: description,
    description,
    email: contactEmail(input),
    version: versionString(),
    urls: { streaming_api: instance.streamingUrl },
    stats: { user_count: snapshot.counts.users, status_count: snapshot.counts.statuses, domain_count: snapshot.counts.domains },
    thumbnail: instance.baseUrl + DEFAULT_THUMBNAIL_PATH,
    languages: languages(snapshot),
    registrations: reg.enabled,
    approval_required: reg.approvalRequired,
    invites_enabled: false,
    configuration: {
      accounts: { max_featured_tags: 10 },
      statuses: statusesConfiguration(instance),
      media_attachments: renderMediaConfiguration(input.instance.mediaLimits),
      polls: POLLS,
    },
    contact_account: input.contactAccount,
    rules: snapshot.rules.map(renderRule),
  };
}

/** A policy text (extended description, privacy policy, terms): plain text with paragraphs and links, as HTML. */
export function renderPolicyText(text: string): string {
  return formatPlainText(text);
}

export type { RuleRecord };
