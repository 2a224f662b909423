import type { Int, Int64, NullableInt64 } from "./columns.ts";

/* Outgoing delivery: the per-domain circuit breaker and the inboxes that answered 410 Gone. */

/** One row per remote domain that failed a delivery since its last success (healthy domains have none). */
export interface DeliveryDomainsTable {
  /** As accounts.domain: lower-case host, with :port when not the default. */
  domain: string;
  /** Distinct UTC days with at least one failed delivery since the last success. */
  failure_days: Int;
  first_failure_at: NullableInt64;
  last_failure_at: NullableInt64;
  last_success_at: NullableInt64;
  /** Set when failure_days reached the threshold: new deliveries are no longer enqueued, only probes. */
  unavailable_since: NullableInt64;
}

/** Inboxes that answered a delivery with 410 Gone, kept until the federation code has dealt with their actors. */
export interface DeliveryGoneInboxesTable {
  inbox: string;
  domain: string;
  gone_at: Int64;
}
