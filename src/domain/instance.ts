import type { MediaLimits } from "./media.ts";

export type RegistrationsMode = "open" | "approved" | "none";

/** What HTTP and services need to know about this instance (built from Config by the composition root). */
export interface InstanceSettings {
  /** The domain in handles: `@alice@localDomain`. */
  readonly localDomain: string;
  /** The host serving Herd. */
  readonly webDomain: string;
  /** `https://webDomain` (http only for development instances). */
  readonly baseUrl: string;
  readonly registrationsMode: RegistrationsMode;
  /** One account only: registrations closed, `/` shows the owner's profile. */
  readonly singleUserMode: boolean;
  /** LIMITED_FEDERATION_MODE: federate only with allowed domains (`herd admin domains allow`); absent means off. */
  readonly limitedFederationMode?: boolean;
  /** Addresses whose X-Forwarded-For is believed (rate limits see the real client). */
  readonly trustedProxies: readonly string[];
  /** Where clients open the streaming API (`wss://…`). */
  readonly streamingUrl: string;
  /** Where this server's source code is published; null when the operator has not said. */
  readonly sourceUrl: string | null;
  /** The sender of the instance's e-mail (SMTP_FROM_ADDRESS): the contact address until the operator sets one. */
  readonly mailFrom: string;
  /** False defers a new account's key generation until its actor is first served (ACTOR_KEYS_AT_CREATION). */
  readonly actorKeysAtCreation?: boolean;
  /** The longest status text plus content warning (MAX_TOOT_CHARS), as configuration.statuses.max_characters reports it. */
  readonly maxStatusChars: number;
  /** Upload limits, as configuration.media_attachments reports them. */
  readonly mediaLimits: MediaLimits;
  /** Days cached remote media may stay unused (MEDIA_CACHE_RETENTION_PERIOD); null or absent keeps it. */
  readonly mediaCacheRetentionDays?: number | null;
}
