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
  /** Addresses whose X-Forwarded-For is believed (rate limits see the real client). */
  readonly trustedProxies: readonly string[];
}
